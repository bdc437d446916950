package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors. Match them with errors.Is; an *APIError matches every sentinel its
// status and messages stand for (see APIError.Is), a *ValidationError matches
// ErrInvalidParams, and a *ResponseError matches ErrMalformedResponse or ErrResponseTooLarge.
var (
	// ErrUnauthorized: the API key or bearer was refused (401 or 403).
	ErrUnauthorized = errors.New("bsg2fa: unauthorized")
	// ErrRateLimited: too many requests (429); APIError.RetryAfter says how long to wait.
	ErrRateLimited = errors.New("bsg2fa: rate limited")
	// ErrInsufficientFunds: the balance does not cover the message (402).
	ErrInsufficientFunds = errors.New("bsg2fa: insufficient funds")
	// ErrInvalidParams: the request was refused, by this package before sending it or by the
	// service's field validation.
	ErrInvalidParams = errors.New("bsg2fa: invalid parameters")
	// ErrServiceUnavailable: the service or its 2FA back end failed (5xx, or one of the
	// "2FA Service …" integration messages).
	ErrServiceUnavailable = errors.New("bsg2fa: service unavailable")

	// ErrAuthenticationNotFound: no session with that id.
	ErrAuthenticationNotFound = errors.New("bsg2fa: authentication not found")
	// ErrWrongCode: the code does not match the one sent. Another attempt may follow.
	ErrWrongCode = errors.New("bsg2fa: wrong code")
	// ErrCodeExpired: the code's lifetime is over.
	ErrCodeExpired = errors.New("bsg2fa: code expired")
	// ErrAttemptsExceeded: the session's verification attempts are used up.
	ErrAttemptsExceeded = errors.New("bsg2fa: verification attempts exceeded")
	// ErrAuthenticationExpired: the session has ended as expired.
	ErrAuthenticationExpired = errors.New("bsg2fa: authentication expired")
	// ErrAuthenticationFailed: the session has ended as failed.
	ErrAuthenticationFailed = errors.New("bsg2fa: authentication failed")
	// ErrAuthenticationCanceled: the session has ended as canceled.
	ErrAuthenticationCanceled = errors.New("bsg2fa: authentication canceled")
	// ErrAuthenticationInvalidStatus: the session is not in a state that allows the call.
	ErrAuthenticationInvalidStatus = errors.New("bsg2fa: authentication in an invalid status")
	// ErrPendingLimit: too many sessions of the account are pending.
	ErrPendingLimit = errors.New("bsg2fa: pending authentication limit reached")
	// ErrTotalLimit: the account's total session limit is reached.
	ErrTotalLimit = errors.New("bsg2fa: total authentication limit reached")
	// ErrPriceNotFound: the service has no price for this destination.
	ErrPriceNotFound = errors.New("bsg2fa: authentication price not found")
	// ErrStopList: the recipient is on the account's stop list for the channel.
	ErrStopList = errors.New("bsg2fa: recipient on the stop list")
	// ErrChannelInactive: the channel is disabled for the account.
	ErrChannelInactive = errors.New("bsg2fa: channel inactive")
	// ErrChannelNotFound: the channel is unknown to the account.
	ErrChannelNotFound = errors.New("bsg2fa: channel not found")
	// ErrTemplateNotFound: no template with that id.
	ErrTemplateNotFound = errors.New("bsg2fa: template not found")
	// ErrTemplateNotAvailable: the template cannot be used here (test mode only, or not for
	// the recipient's country).
	ErrTemplateNotAvailable = errors.New("bsg2fa: template not available")
	// ErrTemplateNotApproved: the template is not approved.
	ErrTemplateNotApproved = errors.New("bsg2fa: template not approved")
	// ErrDefaultTemplate: the default template cannot be deleted.
	ErrDefaultTemplate = errors.New("bsg2fa: default template cannot be deleted")
	// ErrTemplateNameTaken: a template with that name exists.
	ErrTemplateNameTaken = errors.New("bsg2fa: template name taken")
	// ErrAccountType: the account's type (demo, test) does not allow the call.
	ErrAccountType = errors.New("bsg2fa: not available for this account type")
	// ErrTemplateCodeMissing: the template text lacks {code2fa}.
	ErrTemplateCodeMissing = errors.New("bsg2fa: template text lacks {code2fa}")
	// ErrTemplateCodeRepeated: the template text has {code2fa} more than once.
	ErrTemplateCodeRepeated = errors.New("bsg2fa: template text repeats {code2fa}")
	// ErrTemplateRequestLimit: too many templates await approval.
	ErrTemplateRequestLimit = errors.New("bsg2fa: template request limit reached")

	// ErrMalformedResponse: a response the client cannot use (a 2xx with invalid JSON, wrong
	// types, null data, an HTML page …).
	ErrMalformedResponse = errors.New("bsg2fa: malformed response")
	// ErrResponseTooLarge: a response body over the configured limit (a *ResponseError for a
	// 2xx, an *APIError with the status otherwise).
	ErrResponseTooLarge = errors.New("bsg2fa: response too large")
)

// Limits on what an error body can put into an *APIError, so a hostile or broken service
// cannot make an error value large.
const (
	maxErrorMessages   = 50   // messages kept from one body
	maxErrorMessageLen = 512  // bytes kept of one message
	maxErrorTokens     = 4096 // JSON tokens read from one body
	maxErrorTextLen    = 300  // bytes of messages in APIError.Error
)

// APIError is an answer of the service other than success. Use errors.As to read the status
// code and messages, and errors.Is to match the sentinels.
type APIError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Message is the body's top-level "message" (often a generic "The given data was
	// invalid." or "TwoFA Service error.").
	Message string
	// Errors is every error message the body carried, in body order, whichever shape carried
	// it: strings in "errors", {"message"} objects in "errors", and the field errors.
	Errors []string
	// FieldErrors holds {"errors": {"field": ["message", …]}} validation errors.
	FieldErrors map[string][]string
	// RetryAfter is the wait the service asked for with Retry-After on a 429 or 503.
	RetryAfter time.Duration

	// notFound is the sentinel a 404 without a recognised message stands for: the client
	// knows whether it asked for a template or a session, the body often does not say.
	notFound error
	// tooLarge says the body was over the size limit and was not read: the error then
	// matches ErrResponseTooLarge as well.
	tooLarge bool
}

// Error returns the status and the service's messages, short and single-line, e.g.
// "bsg2fa: 404 Not Found: The code does not match the expected value". It never contains
// anything from the request.
func (e *APIError) Error() string {
	if e == nil {
		return "bsg2fa: <nil APIError>"
	}
	var b strings.Builder
	b.WriteString("bsg2fa: ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteByte(' ')
		b.WriteString(text)
	}
	msgs := e.Errors
	if len(msgs) == 0 && e.Message != "" {
		msgs = []string{e.Message}
	}
	written := 0
	for i, m := range msgs {
		if i == 0 {
			b.WriteString(": ")
		} else if written+len(m) > maxErrorTextLen {
			b.WriteString("; …")
			break
		} else {
			b.WriteString("; ")
		}
		written += writeSanitized(&b, m, maxErrorTextLen-written)
	}
	if e.tooLarge {
		b.WriteString(" (response too large, not read)")
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (retry after ")
		b.WriteString(e.RetryAfter.String())
		b.WriteByte(')')
	}
	return b.String()
}

// writeSanitized writes s on one line, control characters replaced by spaces, cut to about
// limit bytes at a character boundary; it returns the bytes of s consumed.
func writeSanitized(b *strings.Builder, s string, limit int) int {
	n := 0
	for _, r := range s {
		size := utf8.RuneLen(r)
		if size < 0 {
			size = 3
		}
		if n+size > limit {
			b.WriteString("…")
			return limit
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError {
			r = ' '
		}
		b.WriteRune(r)
		n += size
	}
	return n
}

// withNotFound sets the sentinel a 404 stands for when none of its messages is recognised
// (ErrTemplateNotFound for template calls, ErrAuthenticationNotFound for session calls).
func (e *APIError) withNotFound(sentinel error) *APIError {
	if e != nil {
		e.notFound = sentinel
	}
	return e
}

// Is reports whether the error stands for target:
//   - each message (top-level, in "errors", or a field error) that is one of the service's
//     documented messages matches its sentinel, compared case-insensitively and ignoring
//     surrounding spaces and a trailing period;
//   - 401 and 403 match ErrUnauthorized, 402 ErrInsufficientFunds, 429 ErrRateLimited, and
//     every 5xx ErrServiceUnavailable;
//   - 400, a 422 with field errors, and a 422 with no recognised message match
//     ErrInvalidParams;
//   - the "2FA Service …" integration messages match ErrServiceUnavailable only when no
//     specific message was recognised (the service wraps e.g. "Authentication not found" in
//     "TwoFA Service error.");
//   - a 404 with no recognised message matches the sentinel of the call that got it
//     (ErrTemplateNotFound or ErrAuthenticationNotFound);
//   - an answer whose body was over the size limit (and so not read) matches
//     ErrResponseTooLarge.
func (e *APIError) Is(target error) bool {
	if e == nil || target == nil {
		return false
	}
	specific, integration := e.scan()
	if idx, ok := sentinelIndex(target); ok && specific&(1<<idx) != 0 {
		return true
	}
	notFoundApplies := e.StatusCode == http.StatusNotFound && specific == 0 && e.notFound != nil
	switch target {
	case ErrUnauthorized:
		if e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden {
			return true
		}
	case ErrInsufficientFunds:
		if e.StatusCode == http.StatusPaymentRequired {
			return true
		}
	case ErrRateLimited:
		if e.StatusCode == http.StatusTooManyRequests {
			return true
		}
	case ErrResponseTooLarge:
		return e.tooLarge
	case ErrServiceUnavailable:
		if e.StatusCode >= 500 && e.StatusCode <= 599 {
			return true
		}
		if integration && specific == 0 && !notFoundApplies {
			return true
		}
	case ErrInvalidParams:
		if e.StatusCode == http.StatusBadRequest {
			return true
		}
		if e.StatusCode == http.StatusUnprocessableEntity &&
			(len(e.FieldErrors) > 0 || (specific == 0 && !integration)) {
			return true
		}
	}
	return notFoundApplies && target == e.notFound
}

// scan maps every message of e to the sentinels it names (a bit per index of
// messageSentinels) and reports whether any was an integration message.
func (e *APIError) scan() (specific uint64, integration bool) {
	add := func(m string) {
		switch idx, ok := lookupMessage(m); {
		case !ok:
		case idx == integrationIndex:
			integration = true
		default:
			specific |= 1 << idx
		}
	}
	add(e.Message)
	for _, m := range e.Errors {
		add(m)
	}
	for _, ms := range e.FieldErrors {
		for _, m := range ms {
			add(m)
		}
	}
	return specific, integration
}

// messageSentinels lists the sentinels messages can map to; a message's index in this list
// is its bit in APIError.scan.
var messageSentinels = []error{
	ErrUnauthorized, ErrRateLimited, ErrInsufficientFunds,
	ErrAuthenticationNotFound, ErrWrongCode, ErrCodeExpired, ErrAttemptsExceeded,
	ErrAuthenticationExpired, ErrAuthenticationFailed, ErrAuthenticationCanceled, ErrAuthenticationInvalidStatus,
	ErrPendingLimit, ErrTotalLimit, ErrPriceNotFound, ErrStopList, ErrChannelInactive, ErrChannelNotFound,
	ErrTemplateNotFound, ErrTemplateNotAvailable, ErrTemplateNotApproved, ErrDefaultTemplate, ErrTemplateNameTaken,
	ErrAccountType, ErrTemplateCodeMissing, ErrTemplateCodeRepeated, ErrTemplateRequestLimit,
}

// integrationIndex marks the "2FA Service …" messages in messageIndex.
const integrationIndex = 63

// sentinelIndex returns target's index in messageSentinels.
func sentinelIndex(target error) (uint8, bool) {
	for i, s := range messageSentinels {
		if s == target {
			return uint8(i), true
		}
	}
	return 0, false
}

// documentedMessages are the service's messages, as the documentation page and the vendor's
// OpenAPI file write them, with the sentinel each stands for.
var documentedMessages = []struct {
	text     string
	sentinel error
}{
	// The documentation page's "2FA errors" list.
	{"Access code expired", ErrCodeExpired},
	{"Access code not found", ErrWrongCode},
	{"Authentication canceled status", ErrAuthenticationCanceled},
	{"Authentication cancelled status", ErrAuthenticationCanceled},
	{"Authentication expired", ErrAuthenticationExpired},
	{"Authentication failed status", ErrAuthenticationFailed},
	{"Authentication invalid status", ErrAuthenticationInvalidStatus},
	{"Authentication limit with status pending", ErrPendingLimit},
	{"Total authentication limit", ErrTotalLimit},
	{"Authentication verifying attempts limit", ErrAttemptsExceeded},
	{"Authentication not found", ErrAuthenticationNotFound},
	{"Authentication price not found", ErrPriceNotFound},
	{"Insufficient funds", ErrInsufficientFunds},
	{"Recipient exists on the stop list", ErrStopList},
	{"Authentication channel inactive", ErrChannelInactive},
	{"Authentication channel not found", ErrChannelNotFound},
	{"Template not found", ErrTemplateNotFound},
	{"Default template is not available for deletion", ErrDefaultTemplate},
	{"User has a template with the identical name!", ErrTemplateNameTaken},
	{"This action is not available for the account of your type.", ErrAccountType},
	{"The {code2fa} variable must occur only once in the text", ErrTemplateCodeRepeated},
	{"The variable {code2fa} is required in the text", ErrTemplateCodeMissing},
	{"The number of requests to create a template is limited to 10. Please wait for the manager approve before making a new request.", ErrTemplateRequestLimit},
	{"The number of requests to create a template is limited to 10.", ErrTemplateRequestLimit},
	// The per-method error tables.
	{"User channel not found", ErrChannelNotFound},
	{"Invalid template status", ErrTemplateNotApproved},
	{"Exists on the stop list", ErrStopList},
	{"User channel inactive", ErrChannelInactive},
	{"This action is available for the account of your type only for your manager phone number.", ErrAccountType},
	{"Template is not available", ErrTemplateNotAvailable},
	{"The code does not match the expected value", ErrWrongCode},
	// The vendor's OpenAPI file.
	{"The recipients phone number is located in a country that is not on the list of countries allowed for the selected template. Please register new message template.", ErrTemplateNotAvailable},
	{"The recipient's phone number is located in a country that is not on the list of countries allowed for the selected template. Please register new message template.", ErrTemplateNotAvailable},
	{"The recipient’s phone number is located in a country that is not on the list of countries allowed for the selected template. Please register new message template.", ErrTemplateNotAvailable},
	{"Too many duplicate request detected", ErrRateLimited},
	{"Too many duplicate requests detected", ErrRateLimited},
	{"Unauthenticated.", ErrUnauthorized},
}

// integrationMessages are the "OneAPI to 2FA integration errors" of the documentation page:
// the One API could not get a usable answer from its 2FA back end. The vendor's file writes
// "TwoFA" where the page writes "2FA"; both spellings are recognised.
var integrationMessages = []string{
	"Raw error 2FA Service response is empty.",
	"Raw error 2FA Service response has an incorrect content.",
	"Error 2FA Service response is empty.",
	"Error 2FA Service response structure is incorrect.",
	"2FA Service getting error response error.",
	"2FA Service getting successful response error.",
	"2FA Service getting response error.",
	"2FA Service error.",
}

// messageIndex maps a normalized message to its index in messageSentinels, or to
// integrationIndex. maxMessageKeyLen is the longest key.
var messageIndex, maxMessageKeyLen = buildMessageIndex()

func buildMessageIndex() (map[string]uint8, int) {
	m := make(map[string]uint8, len(documentedMessages)+2*len(integrationMessages))
	longest := 0
	put := func(text string, idx uint8) {
		var buf [normBufLen]byte
		key, ok := normalizeMessage(text, &buf)
		if !ok {
			panic("bsg2fa: message table entry too long: " + text) // a programming error, caught by any test
		}
		m[string(key)] = idx
		longest = max(longest, len(key))
	}
	for _, d := range documentedMessages {
		idx, ok := sentinelIndex(d.sentinel)
		if !ok {
			panic("bsg2fa: message table names an unlisted sentinel: " + d.text)
		}
		put(d.text, idx)
	}
	for _, text := range integrationMessages {
		put(text, integrationIndex)
		put(strings.Replace(text, "2FA", "TwoFA", 1), integrationIndex)
	}
	return m, longest
}

// normBufLen bounds a normalized message; longer ones cannot be documented messages.
const normBufLen = 256

// normalizeMessage writes s into buf lower-cased (ASCII), with runs of white space collapsed
// to one space and surrounding white space, trailing periods and exclamation marks removed.
// It reports false when the result does not fit buf.
func normalizeMessage(s string, buf *[normBufLen]byte) ([]byte, bool) {
	n := 0
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' {
			space = n > 0
			continue
		}
		if space {
			if n == len(buf) {
				return nil, false
			}
			buf[n] = ' '
			n++
			space = false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if n == len(buf) {
			return nil, false
		}
		buf[n] = c
		n++
	}
	for n > 0 && (buf[n-1] == '.' || buf[n-1] == '!' || buf[n-1] == ' ') {
		n--
	}
	return buf[:n], true
}

// lookupMessage finds a message in messageIndex without allocating.
func lookupMessage(s string) (uint8, bool) {
	if s == "" || len(s) > 4*normBufLen {
		return 0, false
	}
	var buf [normBufLen]byte
	key, ok := normalizeMessage(s, &buf)
	if !ok || len(key) == 0 || len(key) > maxMessageKeyLen {
		return 0, false
	}
	idx, ok := messageIndex[string(key)]
	return idx, ok
}

// newAPIError builds the *APIError for a non-success answer from whatever the body holds:
// {"message", "errors": [strings]}, {"message", "errors": {field: [strings]}},
// {"errors": [{"message"}]}, {"message"} alone, a mix of these, or anything else (HTML,
// nothing, truncated or invalid JSON), in which case the status alone is kept. Whatever
// could be read before a body breaks off is kept. It never panics.
func newAPIError(statusCode int, header http.Header, body []byte) *APIError {
	e := &APIError{StatusCode: statusCode}
	if statusCode == http.StatusTooManyRequests || statusCode == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(header.Get("Retry-After"), time.Now())
	}
	r := errorBodyReader{dec: json.NewDecoder(bytes.NewReader(body)), budget: maxErrorTokens, e: e}
	r.read()
	return e
}

// errorBodyReader walks an error body token by token, so that a body cut short or of an
// unexpected shape still gives up every message before the damage.
type errorBodyReader struct {
	dec    *json.Decoder
	budget int
	e      *APIError
}

func (r *errorBodyReader) token() (json.Token, bool) {
	if r.budget <= 0 {
		return nil, false
	}
	r.budget--
	t, err := r.dec.Token()
	if err != nil {
		return nil, false
	}
	return t, true
}

func (r *errorBodyReader) read() {
	t, ok := r.token()
	if !ok {
		return
	}
	switch v := t.(type) {
	case string:
		r.e.Message = clipMessage(v)
	case json.Delim:
		if v == '{' {
			r.topObject()
		} else if v == '[' {
			r.messageList("")
		}
	}
}

// skip consumes the rest of a value whose first token was t.
func (r *errorBodyReader) skip(t json.Token) bool {
	if d, ok := t.(json.Delim); !ok || (d != '{' && d != '[') {
		return true
	}
	for depth := 1; depth > 0; {
		t, ok := r.token()
		if !ok {
			return false
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return true
}

// topObject reads the members of the body's top-level object.
func (r *errorBodyReader) topObject() {
	for r.dec.More() {
		kt, ok := r.token()
		if !ok {
			return
		}
		vt, ok := r.token()
		if !ok {
			return
		}
		var cont bool
		switch key, _ := kt.(string); key {
		case "message":
			if s, isString := vt.(string); isString {
				r.e.Message = clipMessage(s)
				cont = true
			} else {
				cont = r.skip(vt)
			}
		case "errors", "error":
			cont = r.errorsValue(vt)
		default:
			cont = r.skip(vt)
		}
		if !cont {
			return
		}
	}
}

// errorsValue reads the value of "errors": a string, a list, or an object of field errors.
func (r *errorBodyReader) errorsValue(t json.Token) bool {
	switch v := t.(type) {
	case string:
		r.addMessage("", v)
		return true
	case json.Delim:
		if v == '[' {
			return r.messageList("")
		}
		return r.fieldObject()
	}
	return true
}

// messageList reads a list after its '[': strings and {"message"} objects are messages,
// of field if it is set.
func (r *errorBodyReader) messageList(field string) bool {
	for r.dec.More() {
		t, ok := r.token()
		if !ok {
			return false
		}
		switch v := t.(type) {
		case string:
			r.addMessage(field, v)
		case json.Delim:
			if v == '{' {
				if !r.messageObject(field) {
					return false
				}
			} else if !r.skip(t) {
				return false
			}
		}
	}
	_, ok := r.token() // ']'
	return ok
}

// messageObject reads {"message": "…", …} after its '{'.
func (r *errorBodyReader) messageObject(field string) bool {
	for r.dec.More() {
		kt, ok := r.token()
		if !ok {
			return false
		}
		vt, ok := r.token()
		if !ok {
			return false
		}
		if s, isString := vt.(string); isString && kt == "message" {
			r.addMessage(field, s)
		} else if !r.skip(vt) {
			return false
		}
	}
	_, ok := r.token() // '}'
	return ok
}

// fieldObject reads {"field": ["…"], …} after its '{'.
func (r *errorBodyReader) fieldObject() bool {
	for r.dec.More() {
		kt, ok := r.token()
		if !ok {
			return false
		}
		vt, ok := r.token()
		if !ok {
			return false
		}
		field, _ := kt.(string)
		if field == "message" {
			// {"errors": {"message": "…"}} is one message, not a field called "message".
			field = ""
		}
		switch v := vt.(type) {
		case string:
			r.addMessage(field, v)
		case json.Delim:
			var cont bool
			if v == '[' {
				cont = r.messageList(field)
			} else {
				cont = r.messageObject(field)
			}
			if !cont {
				return false
			}
		}
	}
	_, ok := r.token() // '}'
	return ok
}

// addMessage keeps a message in Errors and, for a field, in FieldErrors, within the limits.
func (r *errorBodyReader) addMessage(field, msg string) {
	if len(r.e.Errors) >= maxErrorMessages {
		return
	}
	msg = clipMessage(msg)
	r.e.Errors = append(r.e.Errors, msg)
	if field == "" {
		return
	}
	if r.e.FieldErrors == nil {
		r.e.FieldErrors = make(map[string][]string)
	}
	field = clipMessage(field)
	r.e.FieldErrors[field] = append(r.e.FieldErrors[field], msg)
}

// clipMessage cuts s to maxErrorMessageLen bytes at a character boundary, copying it so a
// large body is not kept alive by a small message.
func clipMessage(s string) string {
	if len(s) <= maxErrorMessageLen {
		return s
	}
	i := maxErrorMessageLen
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return strings.Clone(s[:i])
}

// parseRetryAfter reads a Retry-After value, delay-seconds or an HTTP date, as a wait from
// now. It is 0 when v is empty, invalid or in the past, and never negative.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if isDigit(v[0]) {
		for i := 0; i < len(v); i++ {
			if !isDigit(v[i]) {
				return 0
			}
		}
		const maxSeconds = math.MaxInt64 / int64(time.Second)
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > maxSeconds {
			secs = maxSeconds // only overflow can fail after the digit check
		}
		return time.Duration(secs) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	if d := t.Sub(now); d > 0 {
		return d
	}
	return 0
}

// ValidationError is a request refused before anything was sent. It matches
// ErrInvalidParams with errors.Is.
type ValidationError struct {
	// Field is the Go name of the field (or parameter) refused, e.g. "Recipient".
	Field string
	// Reason says what the field must be. It never repeats a secret value such as a code.
	Reason string
}

// Error returns "bsg2fa: invalid <Field>: <Reason>".
func (e *ValidationError) Error() string {
	if e == nil {
		return "bsg2fa: <nil ValidationError>"
	}
	return "bsg2fa: invalid " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidParams.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidParams }

// ResponseError is a response that could not be used: a success whose body cannot be
// decoded, or any body over the size limit. It matches ErrMalformedResponse or
// ErrResponseTooLarge, and also the status sentinels (ErrUnauthorized for 401/403,
// ErrInsufficientFunds for 402, ErrRateLimited for 429, ErrServiceUnavailable for 5xx), so
// a 503 with an oversized HTML page is still "service unavailable".
type ResponseError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// ContentType is the response's Content-Type header.
	ContentType string
	// Snippet is the start of the body, at most 128 printable ASCII bytes, with anything that
	// looks like a token replaced (see snippet).
	Snippet string
	// Err is ErrMalformedResponse or ErrResponseTooLarge, possibly wrapping the decoding
	// error.
	Err error
}

// Error describes the response without its body beyond the sanitized snippet.
func (e *ResponseError) Error() string {
	if e == nil {
		return "bsg2fa: <nil ResponseError>"
	}
	var b strings.Builder
	if e.Err != nil {
		writeSanitized(&b, e.Err.Error(), maxErrorTextLen)
	} else {
		b.WriteString(ErrMalformedResponse.Error())
	}
	b.WriteString(" (status ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.ContentType != "" {
		b.WriteString(", ")
		writeSanitized(&b, e.ContentType, 64)
	}
	b.WriteByte(')')
	if e.Snippet != "" {
		b.WriteString(": body starts ")
		b.WriteString(strconv.Quote(e.Snippet))
	}
	return b.String()
}

// Unwrap returns Err.
func (e *ResponseError) Unwrap() error { return e.Err }

// Is reports whether target is the kind of the failure (ErrResponseTooLarge when Err says
// so, ErrMalformedResponse otherwise) or a sentinel of the status code.
func (e *ResponseError) Is(target error) bool {
	if e == nil || target == nil {
		return false
	}
	switch target {
	case ErrResponseTooLarge:
		return e.Err != nil && errors.Is(e.Err, ErrResponseTooLarge)
	case ErrMalformedResponse:
		return e.Err == nil || !errors.Is(e.Err, ErrResponseTooLarge)
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrInsufficientFunds:
		return e.StatusCode == http.StatusPaymentRequired
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServiceUnavailable:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return false
}

// Limits of snippet.
const (
	maxSnippetLen = 128
	// minSecretRun is the length from which a run of token characters (letters, digits and
	// -_.+/=~) is taken for a credential and replaced: a bearer or API key echoed in a body
	// must not reach an error string or a log.
	minSecretRun = 24
)

// snippet returns a short sanitized start of body for error strings and logs: at most 128
// bytes of printable ASCII, white space runs as one space, other bytes (and each non-ASCII
// character) as '?', and runs of 24 or more token characters as "[REDACTED]".
func snippet(body []byte) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(body) && b.Len() < maxSnippetLen+8; {
		c := body[i]
		switch {
		case isTokenByte(c):
			j := i
			for j < len(body) && isTokenByte(body[j]) {
				j++
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			if j-i >= minSecretRun {
				b.WriteString("[REDACTED]")
			} else {
				b.Write(body[i:j])
			}
			i = j
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			space = b.Len() > 0
			i++
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		b.WriteByte('?')
		if c < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRune(body[i:])
			i += size
		}
	}
	s := b.String()
	if len(s) > maxSnippetLen {
		s = s[:maxSnippetLen-3] + "..."
	}
	return s
}

// isTokenByte reports whether c can be part of a bearer, an API key or a base64 value.
func isTokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '+' || c == '/' || c == '=' || c == '~'
}
