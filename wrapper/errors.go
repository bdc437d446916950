package wrapper

import (
	"errors"
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

// maxErrorTextLen is how many bytes of the service's messages APIError.Error shows.
const maxErrorTextLen = 300

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
