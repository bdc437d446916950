// Package sandbox is a stateful, in-memory stand-in for the BSG 2FA API: it answers every
// operation of api/bsg-2fa.yaml in the service's own shapes and messages, sends nothing, and
// shows the codes it "sends", so integrations can be tried and tested without an account,
// without cost and without a phone.
//
// # From Go
//
// A Server is an http.Handler; serve it with httptest and point any client at its URL:
//
//	srv := sandbox.New(sandbox.WithAPIKey("test-key"), sandbox.WithClock(clock.Now))
//	ts := httptest.NewServer(srv)
//	defer ts.Close()
//	// log in with "test-key", send a code, then read it back:
//	code, ok := srv.LastCode(authenticationID)
//
// WithClock moves code expiry, token expiry, message delivery and retention without sleeping;
// WithRand makes codes and ids reproducible. CodeFor finds the code last sent to a phone
// number, Messages lists the outbox, InjectFault makes an operation fail on purpose with the
// document's error bodies, Reset starts over, and ApproveTemplate and RejectTemplate play the
// vendor's manager for templates created through the API.
//
// # From any language
//
// Run it with the command line (bsg2fa sandbox -addr 127.0.0.1:8025) and use these endpoints
// besides the API; they need no bearer:
//
//	GET    /_sandbox/recipients/{phone}/code     → 200 {"code":"…","authentication_id":"…","recipient":"…"}
//	GET    /_sandbox/authentications/{id}/code   → 200 {"code":"12345"} (404 when unknown)
//	GET    /_sandbox/messages?recipient=&since=  → 200 {"data":[…],"total":N}, newest first
//	DELETE /_sandbox/messages                    → 204, the outbox is empty
//	POST   /_sandbox/faults                      {"operation":"sendOtp","status":503,"times":1}
//	                                             or "delay_ms", "drop", "example", "retry_after"
//	GET    /_sandbox/faults, DELETE /_sandbox/faults
//	POST   /_sandbox/reset                       → 204, as new
//	POST   /_sandbox/templates/{id}/approve      → 200 {"data":{…template…}} (404 when unknown)
//	POST   /_sandbox/templates/{id}/reject       → 200 {"data":{…template…}} (404 when unknown)
//
// # Behaviour
//
// Every /api/ request is checked against api/bsg-2fa.yaml with kin-openapi before it touches
// the state; a bad one is answered 422 {"message":"The given data was invalid.","errors":
// {"<field>":["…"]}}, naming the body property or query parameter. Every request except login
// needs a bearer from POST /api/auth/login or /api/auth/refresh: an HS256 JWT with iat and exp
// claims, signed with a key made by New, valid for WithTokenTTL (720h by default) by the
// sandbox clock. A missing, foreign or expired bearer, and a refused API key, are answered 401
// {"message":"Unauthenticated."}.
//
// Rule errors use the service's shape {"errors":[{"message":"…"}]} and its messages. Sending
// opens a pending session with a code of code_digits digits drawn uniformly from the random
// source and records one message; its country comes from the recipient's calling code (XX
// when unknown) and must be among the template's countries. Template 1 ("Your code is
// {code2fa}") is approved from the start, sends to every country (it has no countries
// member) and cannot be deleted. Answers show the template text with "{code}" in place of the
// code, never the code. Verification compares codes in constant time; the code_max_tries-th
// wrong code fails the session. Resend (pending only) draws a new code, restarts the code
// lifetime and keeps the count of wrong attempts. Resend and cancel on a finished session
// answer 422 "Authentication failed status", "Authentication canceled status",
// "Authentication expired" or, for a verified one, "Authentication invalid status"; verify
// answers the same except "Access code expired" for an expired session. Expiry is evaluated
// lazily by the sandbox clock whenever a session is read, changed or listed.
//
// Authentication prices are strings with a decimal comma ("0" until verified, then
// WithPrice's amount, "0,02" by default); message prices are JSON numbers; timestamps are
// "YYYY-MM-DD HH:MM:SS" in UTC; message ids are numbers. A message reads "accepted" until
// WithDeliveryDelay (2s) has passed by the sandbox clock, then "delivered" with sent_at set.
// Templates are listed as {"data":[…],"total":N}; a created template starts "requested".
//
// A request body means the same to validation and to the state: a member given twice, or a
// documented member in another letter case, is refused with 422, and the handlers decode the
// validated bytes by exact name and range-check every value again.
//
// Memory is bounded: each pending session expires at its own deadline; finished sessions are
// dropped WithRetention (24h) after they finished and beyond WithMaxSessions (100,000), oldest
// finished first, so at most WithMaxSessions plus the pending sessions are held, at most 2 KiB
// each. A session keeps its 20 most recent messages; at most 1,000 templates are held.
// Sessions are indexed by creation time, so a list page in the default order costs
// O(page + log n).
package sandbox
