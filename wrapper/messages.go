package wrapper

import "strings"

// The service's documented error messages and the sentinels they stand for. A message the
// service adds goes into documentedMessages, with its sentinel (a new one also goes into
// messageSentinels and errors.go).

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

// messageIndex maps a message's key (see messageKey) to its index in messageSentinels, or to
// integrationIndex.
var messageIndex = buildMessageIndex()

func buildMessageIndex() map[string]uint8 {
	m := make(map[string]uint8, len(documentedMessages)+2*len(integrationMessages))
	for _, d := range documentedMessages {
		idx, ok := sentinelIndex(d.sentinel)
		if !ok {
			panic("bsg2fa: message table names an unlisted sentinel: " + d.text) // a programming error, caught by any test
		}
		m[messageKey(d.text)] = idx
	}
	for _, text := range integrationMessages {
		m[messageKey(text)] = integrationIndex
		m[messageKey(strings.Replace(text, "2FA", "TwoFA", 1))] = integrationIndex
	}
	return m
}

// messageKey is the form in which messages are compared: ASCII letters in lower case, runs of
// ASCII white space as one space, without surrounding white space or trailing periods and
// exclamation marks. The service is not consistent about any of these; it is about everything
// else, so nothing beyond ASCII is folded.
func messageKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return strings.TrimRight(b.String(), ".! ")
}

// maxLookupLen bounds the messages looked up: every documented one is far shorter, and a
// message padded with white space still matches up to this length.
const maxLookupLen = 1024

// lookupMessage finds a message in messageIndex.
func lookupMessage(s string) (uint8, bool) {
	if s == "" || len(s) > maxLookupLen {
		return 0, false
	}
	idx, ok := messageIndex[messageKey(s)]
	return idx, ok
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
