// Package wrapper is a Go client for the BSG 2FA API: one-time passwords sent by SMS or Viber
// through BSG's One-API, verified, listed and managed with their message templates.
//
// Every call goes through the code generated from the API's OpenAPI document (package gen);
// this package adds what generated code cannot know: the bearer token's life cycle, exact
// prices, typed errors, validation before sending, a retry policy that never sends a code
// twice, bounded responses, redaction of secrets, and iterators over lists.
//
// # Sending and verifying a code
//
//	client, err := wrapper.New(os.Getenv("BSG_API_KEY"))
//	if err != nil {
//		return err
//	}
//	auth, err := client.SendOTP(ctx, wrapper.SendOTPRequest{
//		Recipient:  "+380 97 996 5073",
//		Channel:    wrapper.ChannelSMS,
//		Sender:     "MyShop",
//		TemplateID: 12,
//	})
//	if err != nil {
//		return err
//	}
//	// Later, with the code the user typed (spaces around it are removed):
//	verified, err := client.VerifyOTP(ctx, auth.ID, code)
//	switch {
//	case err == nil:
//		// Only the session asked about, now verified, gives a nil error.
//		fmt.Println("verified at", verified.FinishedAt)
//	case errors.Is(err, wrapper.ErrWrongCode):
//		// Let the user try again; the session counts the attempt.
//	case errors.Is(err, wrapper.ErrInvalidParams):
//		// Not 3 to 9 digits; nothing was sent.
//	case errors.Is(err, wrapper.ErrAuthenticationInvalidStatus):
//		// No longer pending: most often a double submit of a code that verified it.
//	case errors.Is(err, wrapper.ErrCodeExpired), errors.Is(err, wrapper.ErrAttemptsExceeded),
//		errors.Is(err, wrapper.ErrAuthenticationFailed), errors.Is(err, wrapper.ErrAuthenticationExpired):
//		// The session is over and cannot be resent: offer a new code with SendOTP.
//	default:
//		return err
//	}
//
// See the README for a switch over every outcome.
//
// # Errors
//
// Match errors with errors.Is against the sentinels (ErrWrongCode, ErrRateLimited,
// ErrInsufficientFunds, …) and read details with errors.As:
//
//	var apiErr *wrapper.APIError
//	if errors.As(err, &apiErr) {
//		log.Printf("status %d, messages %q, retry after %s", apiErr.StatusCode, apiErr.Errors, apiErr.RetryAfter)
//	}
//
// An *APIError is any answer of the service other than success; a *ValidationError is a
// request refused before anything was sent (it matches ErrInvalidParams); a *ResponseError is a
// success answer that cannot be used (ErrMalformedResponse) or a body over the size limit
// (ErrResponseTooLarge). Network and context errors come as net/http returns them, so
// errors.Is(err, context.DeadlineExceeded) works.
//
// # Tokens
//
// The client logs in with the API key on its first call, once however many goroutines call at
// the same time, and refreshes the bearer when most of its lifetime (exp − iat, measured on the
// local clock) has passed. A bearer the service refuses with 401 is replaced by a new login and
// the call is repeated once; a second refusal, or a refused login, is ErrUnauthorized.
// WithToken starts from a bearer obtained elsewhere.
//
// # Retries and limits
//
// GET requests are repeated after connection failures, 429, 500, 502, 503 and 504. POST and
// DELETE requests are repeated only when the connection could not be opened at all: after a
// 5xx, a timeout or a dropped connection the code may already have been sent, and the
// service's 429 refuses a duplicate of a request it is still handling, so the error is
// returned instead. There are at most 2 repetitions by default (WithMaxRetries),
// with exponential backoff from 200ms to 5s plus jitter, or the longer wait the service asks
// for with Retry-After up to 30s (WithRetryAfterCap); a longer Retry-After ends the call at
// once with an error whose RetryAfter says how long. Every wait ends with the context. Response bodies
// are limited to 4 MiB (WithMaxResponseBytes), and the default http.Client has a 30s timeout
// (WithTimeout) and opens at most 64 connections to the service, kept idle between calls.
//
// # Logging and secrets
//
// WithLogger logs each HTTP exchange at debug level: method, path template (such as
// /api/2fa/authentications/{id}), status, attempt and duration, with phone numbers masked. The
// API key, the bearer and the codes never appear in logs, in error messages or when a Client
// is printed with any fmt verb.
package wrapper
