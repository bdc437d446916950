package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allSentinels is every sentinel a caller can match an *APIError against.
var allSentinels = []error{
	ErrUnauthorized, ErrRateLimited, ErrInsufficientFunds, ErrInvalidParams, ErrServiceUnavailable,
	ErrAuthenticationNotFound, ErrWrongCode, ErrCodeExpired, ErrAttemptsExceeded,
	ErrAuthenticationExpired, ErrAuthenticationFailed, ErrAuthenticationCanceled, ErrAuthenticationInvalidStatus,
	ErrPendingLimit, ErrTotalLimit, ErrPriceNotFound, ErrStopList, ErrChannelInactive, ErrChannelNotFound,
	ErrTemplateNotFound, ErrTemplateNotAvailable, ErrTemplateNotApproved, ErrDefaultTemplate, ErrTemplateNameTaken,
	ErrAccountType, ErrTemplateCodeMissing, ErrTemplateCodeRepeated, ErrTemplateRequestLimit,
	ErrMalformedResponse, ErrResponseTooLarge,
}

// documented lists every message of the documentation page's 2FA error list and error tables
// (and the vendor's file), written out here independently of errors.go, with the status the
// documentation gives it and the sentinel it must match.
var documented = []struct {
	status   int
	message  string
	sentinel error
}{
	// "2FA errors" list.
	{422, "Access code expired", ErrCodeExpired},
	{404, "Access code not found", ErrWrongCode},
	{422, "Authentication canceled status", ErrAuthenticationCanceled},
	{422, "Authentication expired", ErrAuthenticationExpired},
	{422, "Authentication failed status", ErrAuthenticationFailed},
	{422, "Authentication invalid status", ErrAuthenticationInvalidStatus},
	{422, "Authentication limit with status pending", ErrPendingLimit},
	{422, "Total authentication limit", ErrTotalLimit},
	{422, "Authentication verifying attempts limit", ErrAttemptsExceeded},
	{404, "Authentication not found", ErrAuthenticationNotFound},
	{422, "Authentication price not found", ErrPriceNotFound},
	{402, "Insufficient funds", ErrInsufficientFunds},
	{422, "Recipient exists on the stop list", ErrStopList},
	{422, "Authentication channel inactive", ErrChannelInactive},
	{404, "Authentication channel not found", ErrChannelNotFound},
	{404, "Template not found", ErrTemplateNotFound},
	{422, "Default template is not available for deletion", ErrDefaultTemplate},
	{422, "User has a template with the identical name!", ErrTemplateNameTaken},
	{422, "This action is not available for the account of your type.", ErrAccountType},
	{422, "The {code2fa} variable must occur only once in the text", ErrTemplateCodeRepeated},
	{422, "The variable {code2fa} is required in the text", ErrTemplateCodeMissing},
	{422, "The number of requests to create a template is limited to 10. Please wait for the manager approve before making a new request.", ErrTemplateRequestLimit},
	// Per-method tables.
	{404, "User channel not found", ErrChannelNotFound},
	{422, "Invalid template status", ErrTemplateNotApproved},
	{422, "Exists on the stop list", ErrStopList},
	{422, "User channel inactive", ErrChannelInactive},
	{422, "This action is available for the account of your type only for your manager phone number.", ErrAccountType},
	{422, "Template is not available", ErrTemplateNotAvailable},
	{404, "The code does not match the expected value", ErrWrongCode},
	{422, "This action is not available for the account of your type", ErrAccountType},
	// The vendor's file.
	{422, "Template is not available.", ErrTemplateNotAvailable},
	{422, "The recipients phone number is located in a country that is not on the list of countries allowed for the selected template. Please register new message template.", ErrTemplateNotAvailable},
	{429, "Too many duplicate request detected", ErrRateLimited},
	{401, "Unauthenticated.", ErrUnauthorized},
}

// integration lists the "OneAPI to 2FA integration errors" and the vendor's spelling.
var integration = []string{
	"Raw error 2FA Service response is empty.",
	"Raw error 2FA Service response has an incorrect content.",
	"Error 2FA Service response is empty.",
	"Error 2FA Service response structure is incorrect.",
	"2FA Service getting error response error.",
	"2FA Service getting successful response error.",
	"2FA Service getting response error.",
	"2FA Service error.",
	"TwoFA Service error.",
	"TwoFA Service getting response error.",
}

// shapes are the error body shapes the service uses; %s is the JSON-quoted message.
var shapes = []struct {
	name    string
	format  string
	isField bool
}{
	{"string list", `{"message":"The given data was invalid.","errors":[%s]}`, false},
	{"string list wrapped", `{"message":"TwoFA Service error.","errors":[%s]}`, false},
	{"object list", `{"errors":[{"message":%s}]}`, false},
	{"top-level message", `{"message":%s}`, false},
	{"top-level message with empty errors", `{"message":%s,"errors":[]}`, false},
	{"field error", `{"message":"The given data was invalid.","errors":{"text":[%s]}}`, true},
	{"mixed list", `{"message":"The given data was invalid.","errors":["something else",{"message":%s},7,null]}`, false},
	{"bare string errors", `{"errors":%s}`, false},
	{"singular error key", `{"error":{"message":%s}}`, false},
	{"top-level list", `[{"message":%s}]`, false},
}

// statusSentinels is what the status alone stands for.
func statusSentinels(status int) []error {
	switch {
	case status == 401 || status == 403:
		return []error{ErrUnauthorized}
	case status == 402:
		return []error{ErrInsufficientFunds}
	case status == 429:
		return []error{ErrRateLimited}
	case status >= 500:
		return []error{ErrServiceUnavailable}
	}
	return nil
}

func quote(t testing.TB, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return string(b)
}

// assertExactly checks that err matches each of want and no other sentinel.
func assertExactly(t *testing.T, err error, want ...error) {
	t.Helper()
	for _, s := range allSentinels {
		expected := false
		for _, w := range want {
			expected = expected || w == s
		}
		assert.Equal(t, expected, errors.Is(err, s), "errors.Is(%v, %v)", err, s)
	}
}

func TestAPIErrorEveryMessageEveryShape(t *testing.T) {
	for _, d := range documented {
		for _, sh := range shapes {
			for _, variant := range messageVariants(d.message) {
				name := fmt.Sprintf("%d %s/%s/%q", d.status, d.message, sh.name, variant)
				t.Run(name, func(t *testing.T) {
					body := fmt.Sprintf(sh.format, quote(t, variant))
					var err error = newAPIError(d.status, []byte(body))

					var apiErr *APIError
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, d.status, apiErr.StatusCode)

					want := append([]error{d.sentinel}, statusSentinels(d.status)...)
					if sh.isField && d.status == http.StatusUnprocessableEntity {
						want = append(want, ErrInvalidParams)
					}
					assertExactly(t, err, want...)
				})
			}
		}
	}
}

// messageVariants is the message as documented and in the forms the comparison forgives.
func messageVariants(m string) []string {
	trimmed := strings.TrimRight(m, ".!")
	return []string{
		m,
		strings.ToUpper(m),
		strings.ToLower(trimmed),
		"  " + trimmed + ".  ",
		strings.ReplaceAll(m, " ", "\n  "),
	}
}

func TestAPIErrorMessageInMessageList(t *testing.T) {
	// The documentation page's 422 example for validation also carries field errors.
	body := `{"message":"The given data was invalid.","errors":{"recipient":["The recipient field is required."],"text":["The variable {code2fa} is required in the text"]}}`
	err := newAPIError(422, []byte(body))
	assertExactly(t, err, ErrInvalidParams, ErrTemplateCodeMissing)
	assert.Equal(t, []string{"The recipient field is required.", "The variable {code2fa} is required in the text"}, err.Errors)
	assert.Equal(t, map[string][]string{
		"recipient": {"The recipient field is required."},
		"text":      {"The variable {code2fa} is required in the text"},
	}, err.FieldErrors)
	assert.Equal(t, "The given data was invalid.", err.Message)
}

func TestAPIErrorIntegrationMessages(t *testing.T) {
	for _, m := range integration {
		for _, sh := range shapes {
			t.Run(m+"/"+sh.name, func(t *testing.T) {
				body := fmt.Sprintf(sh.format, quote(t, m))
				want := []error{ErrServiceUnavailable}
				if sh.isField {
					want = append(want, ErrInvalidParams) // a 422 with field errors
				}
				assertExactly(t, newAPIError(422, []byte(body)), want...)
				assertExactly(t, newAPIError(502, []byte(body)), ErrServiceUnavailable)
			})
		}
	}
}

func TestAPIErrorSpecificBeatsIntegration(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   []error
	}{
		{
			"vendor's 404 for a session", 404,
			`{"message":"TwoFA Service error.","errors":["Authentication not found"]}`,
			[]error{ErrAuthenticationNotFound},
		},
		{
			"vendor's 404 for a wrong code", 404,
			`{"message":"TwoFA Service error.","errors":["The code does not match the expected value"]}`,
			[]error{ErrWrongCode},
		},
		{
			"vendor's 422 for a failed session", 422,
			`{"message":"TwoFA Service error.","errors":["Authentication failed status"]}`,
			[]error{ErrAuthenticationFailed},
		},
		{
			"documented 2FA Service spelling", 404,
			`{"message":"2FA Service error.","errors":[{"message":"Template not found"}]}`,
			[]error{ErrTemplateNotFound},
		},
		{
			"a 5xx stays unavailable whatever it says", 503,
			`{"message":"TwoFA Service error.","errors":["Authentication not found"]}`,
			[]error{ErrAuthenticationNotFound, ErrServiceUnavailable},
		},
		{
			"integration message alone on a 422", 422,
			`{"message":"2FA Service getting response error.","errors":[]}`,
			[]error{ErrServiceUnavailable},
		},
		{
			"the spec's server error example", 500,
			`{"message":"2FA Service error.","errors":[]}`,
			[]error{ErrServiceUnavailable},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertExactly(t, newAPIError(tt.status, []byte(tt.body)), tt.want...)
		})
	}
}

func TestAPIErrorWrongCodeIsNotNotFound(t *testing.T) {
	for _, body := range []string{
		`{"errors":[{"message":"The code does not match the expected value"}]}`,
		`{"message":"TwoFA Service error.","errors":["The code does not match the expected value"]}`,
		`{"errors":[{"message":"Access code not found"}]}`,
	} {
		err := newAPIError(404, []byte(body)).withNotFound(ErrAuthenticationNotFound)
		assert.ErrorIs(t, err, ErrWrongCode, body)
		assert.NotErrorIs(t, err, ErrAuthenticationNotFound, body)
		assert.NotErrorIs(t, err, ErrServiceUnavailable, body)
	}
}

func TestAPIErrorNotFoundFallback(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		notFound error
		want     []error
	}{
		{"model not found on a template call", 404, `{"message":"Model not found"}`, ErrTemplateNotFound, []error{ErrTemplateNotFound}},
		{"empty 404 on a session call", 404, ``, ErrAuthenticationNotFound, []error{ErrAuthenticationNotFound}},
		{"HTML 404 on a session call", 404, `<html>404</html>`, ErrAuthenticationNotFound, []error{ErrAuthenticationNotFound}},
		{"bare TwoFA 404 is not found, not unavailable", 404, `{"message":"TwoFA Service error."}`, ErrAuthenticationNotFound, []error{ErrAuthenticationNotFound}},
		{"bare TwoFA 404 without a fallback is unavailable", 404, `{"message":"TwoFA Service error."}`, nil, []error{ErrServiceUnavailable}},
		{"unknown 404 without a fallback", 404, `{"message":"Model not found"}`, nil, nil},
		{"a recognised message wins", 404, `{"errors":["Authentication not found"]}`, ErrTemplateNotFound, []error{ErrAuthenticationNotFound}},
		{"only on a 404", 422, `{"message":"Model not found"}`, ErrTemplateNotFound, []error{ErrInvalidParams}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newAPIError(tt.status, []byte(tt.body))
			if tt.notFound != nil {
				assert.Same(t, e, e.withNotFound(tt.notFound))
			}
			assertExactly(t, e, tt.want...)
		})
	}
	var nilErr *APIError
	assert.Nil(t, nilErr.withNotFound(ErrTemplateNotFound))
}

func TestAPIErrorStatusSentinels(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   []error
	}{
		{400, `{"message":"Bad request"}`, []error{ErrInvalidParams}},
		{401, `{"message":"Unauthenticated."}`, []error{ErrUnauthorized}},
		{401, ``, []error{ErrUnauthorized}},
		{403, `{"message":"Forbidden"}`, []error{ErrUnauthorized}},
		{402, `{"errors":[{"message":"Insufficient funds"}]}`, []error{ErrInsufficientFunds}},
		{402, ``, []error{ErrInsufficientFunds}},
		{422, `{"message":"The given data was invalid.","errors":{"channel":["The value you selected is not a valid choice."]}}`, []error{ErrInvalidParams}},
		{422, `{"message":"The given data was invalid.","errors":["Something new"]}`, []error{ErrInvalidParams}},
		{422, ``, []error{ErrInvalidParams}},
		{429, `{"message":"Too many duplicate request detected"}`, []error{ErrRateLimited}},
		{429, ``, []error{ErrRateLimited}},
		{500, `<html><body>Internal Server Error</body></html>`, []error{ErrServiceUnavailable}},
		{502, ``, []error{ErrServiceUnavailable}},
		{503, `{"message":"Service Unavailable"}`, []error{ErrServiceUnavailable}},
		{504, `null`, []error{ErrServiceUnavailable}},
		{599, `{}`, []error{ErrServiceUnavailable}},
		{409, `{"message":"Conflict"}`, nil},
		{418, ``, nil},
		{0, ``, nil},
		{600, ``, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.body), func(t *testing.T) {
			assertExactly(t, newAPIError(tt.status, []byte(tt.body)), tt.want...)
		})
	}
}

func TestAPIErrorOddBodies(t *testing.T) {
	huge := `{"errors":[` + strings.Repeat(`"Insufficient funds",`, 100000) + `"x"]}`
	long := `{"message":"` + strings.Repeat("é", 100000) + `"}`
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	tests := []struct {
		name        string
		body        string
		wantMessage string
		wantErrors  []string
	}{
		{"empty", ``, "", nil},
		{"null", `null`, "", nil},
		{"HTML", `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>`, "", nil},
		{"plain text", `Service Unavailable`, "", nil},
		{"invalid JSON", `{"message": nope}`, "", nil},
		{"a number", `42`, "", nil},
		{"a string", `"Authentication not found"`, "Authentication not found", nil},
		{"truncated after a message", `{"message":"TwoFA Service error.","errors":["Authentication not found","Tem`, "TwoFA Service error.", []string{"Authentication not found"}},
		{"truncated inside the first string", `{"message":"TwoFA Serv`, "", nil},
		{"truncated inside an object list", `{"errors":[{"message":"Access code expired"},{"mess`, "", []string{"Access code expired"}},
		{"truncated field errors", `{"message":"The given data was invalid.","errors":{"text":["The variable {code2fa} is required in the text"],"na`, "The given data was invalid.", []string{"The variable {code2fa} is required in the text"}},
		{"message of the wrong type", `{"message":123,"errors":"Authentication expired"}`, "", []string{"Authentication expired"}},
		{"message as an object", `{"message":{"text":"x"},"errors":[]}`, "", nil},
		{"errors of the wrong type", `{"message":"m","errors":true}`, "m", nil},
		{"errors null", `{"message":"m","errors":null}`, "m", nil},
		{"nested lists skipped", `{"errors":[["Authentication expired"],"Access code expired"]}`, "", []string{"Access code expired"}},
		{"object without message", `{"errors":[{"code":1,"detail":"x"},{"message":"Access code expired","code":2}]}`, "", []string{"Access code expired"}},
		{"message object in field", `{"errors":{"channel":{"message":"User channel not found"}}}`, "", []string{"User channel not found"}},
		{"field as a plain string", `{"errors":{"channel":"User channel inactive"}}`, "", []string{"User channel inactive"}},
		{"message key inside errors object", `{"errors":{"message":"Authentication expired"}}`, "", []string{"Authentication expired"}},
		{"unknown keys ignored", `{"data":{"id":"x","message":"no"},"errors":["Access code expired"],"meta":[1,2,{"a":[]}]}`, "", []string{"Access code expired"}},
		{"trailing garbage", `{"message":"m"} trailing`, "m", nil},
		{"escaped text", `{"errors":["Authentication\u0020expired"]}`, "", []string{"Authentication expired"}},
		{"invalid UTF-8", "{\"message\":\"\xff\xfe\"}", "\ufffd\ufffd", nil},
		{"deep nesting", deep, "", nil},
		{"huge list is capped", huge, "", slicesRepeat("Insufficient funds", maxErrorMessages)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e *APIError
			require.NotPanics(t, func() { e = newAPIError(418, []byte(tt.body)) })
			require.NotNil(t, e)
			assert.Equal(t, 418, e.StatusCode)
			assert.Equal(t, tt.wantMessage, e.Message)
			assert.Equal(t, tt.wantErrors, e.Errors)
			assert.NotEmpty(t, e.Error())
		})
	}

	t.Run("long message is clipped", func(t *testing.T) {
		e := newAPIError(422, []byte(long))
		assert.LessOrEqual(t, len(e.Message), maxErrorMessageLen)
		assert.True(t, strings.HasPrefix(e.Message, "éé"))
		assert.Equal(t, strings.Repeat("é", maxErrorMessageLen/2), e.Message, "cut at a character boundary")
		assert.Less(t, len(e.Error()), 400)
	})
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestAPIErrorFieldErrorsOrderIsStable(t *testing.T) {
	body := `{"message":"The given data was invalid.","errors":{"sender":["b1","b2"],"recipient":["a1"],"code_digits":["c1"]}}`
	for range 20 {
		e := newAPIError(422, []byte(body))
		assert.Equal(t, []string{"b1", "b2", "a1", "c1"}, e.Errors)
		assert.Equal(t, []string{"b1", "b2"}, e.FieldErrors["sender"])
	}
}

func TestAPIErrorUserBuiltValue(t *testing.T) {
	// An *APIError built by hand (as in a caller's tests) matches from its exported fields.
	e := &APIError{StatusCode: 422, FieldErrors: map[string][]string{"x": {"Authentication expired"}}}
	assert.ErrorIs(t, e, ErrAuthenticationExpired)
	assert.ErrorIs(t, e, ErrInvalidParams)
	e = &APIError{StatusCode: 404, Message: "Template not found"}
	assert.ErrorIs(t, e, ErrTemplateNotFound)
	assert.ErrorIs(t, fmt.Errorf("wrapped: %w", e), ErrTemplateNotFound)
	var nilErr *APIError
	assert.False(t, nilErr.Is(ErrTemplateNotFound))
	assert.False(t, e.Is(nil))
}

func TestAPIErrorRetryAfter(t *testing.T) {
	// The Retry-After read when the answer came is kept on 429 and 503 only.
	for _, tt := range []struct {
		status int
		want   time.Duration
	}{
		{status: 429, want: 30 * time.Second},
		{status: 503, want: 30 * time.Second},
		{status: 404, want: 0},
		{status: 500, want: 0},
	} {
		res := attemptResult{
			resp:          &http.Response{StatusCode: tt.status, Body: http.NoBody},
			status:        tt.status,
			retryAfter:    30 * time.Second,
			hasRetryAfter: true,
		}
		var apiErr *APIError
		require.ErrorAs(t, res.failure(callInfo{}, &redactor{}, 1<<10), &apiErr)
		assert.Equal(t, tt.want, apiErr.RetryAfter, tt.status)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"1", time.Second},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"007", 7 * time.Second},
		{"-5", 0},
		{"+5", 0},
		{"1.5", 0},
		{"5s", 0},
		{"abc", 0},
		{"99999999999999999999999", time.Duration(9223372036) * time.Second},
		{"9223372036", time.Duration(9223372036) * time.Second},
		{"Wed, 01 May 2024 12:00:30 GMT", 30 * time.Second}, // IMF-fixdate
		{"Wednesday, 01-May-24 12:01:00 GMT", time.Minute},  // RFC 850
		{"Wed May  1 12:00:10 2024", 10 * time.Second},      // ANSI C asctime
		{"Wed, 01 May 2024 11:59:00 GMT", 0},                // in the past
		{"Wed, 01 May 2024 12:00:00 GMT", 0},                // now
		{"Wed, 01 May 2024 12:00:30 +0200", 0},              // not an HTTP date
		{"2024-05-01T12:00:30Z", 0},                         // nor is RFC 3339
		{"Mon, 01 Jan 10000 00:00:00 GMT", 0},               // out of range
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			assert.Equal(t, tt.want, got)
			if tt.want > 0 {
				assert.True(t, ok)
			}
			assert.GreaterOrEqual(t, got, time.Duration(0))
		})
	}
}

func TestAPIErrorError(t *testing.T) {
	tests := []struct {
		err  *APIError
		want string
	}{
		{newAPIError(404, []byte(`{"errors":[{"message":"The code does not match the expected value"}]}`)),
			"bsg2fa: 404 Not Found: The code does not match the expected value"},
		{newAPIError(404, []byte(`{"message":"TwoFA Service error.","errors":["Authentication not found"]}`)),
			"bsg2fa: 404 Not Found: Authentication not found"},
		{newAPIError(422, []byte(`{"message":"The given data was invalid.","errors":{"recipient":["The recipient field is required."],"sender":["Too long.","Bad."]}}`)),
			"bsg2fa: 422 Unprocessable Entity: The recipient field is required.; Too long.; Bad."},
		{newAPIError(404, []byte(`{"message":"Model not found"}`)), "bsg2fa: 404 Not Found: Model not found"},
		{newAPIError(502, []byte(`<html>`)), "bsg2fa: 502 Bad Gateway"},
		{&APIError{StatusCode: 429, Message: "Too many duplicate request detected", RetryAfter: 30 * time.Second},
			"bsg2fa: 429 Too Many Requests: Too many duplicate request detected (retry after 30s)"},
		{&APIError{StatusCode: 299}, "bsg2fa: 299"},
		{&APIError{StatusCode: 422, Errors: []string{"line\nbreak\x1b[31m"}}, "bsg2fa: 422 Unprocessable Entity: line break [31m"},
		{nil, "bsg2fa: <nil APIError>"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}

	many := &APIError{StatusCode: 422}
	for range 50 {
		many.Errors = append(many.Errors, strings.Repeat("x", 100))
	}
	s := many.Error()
	assert.Less(t, len(s), maxErrorTextLen+80, "bounded")
	assert.True(t, strings.HasSuffix(s, "…"))
}

func TestValidationError(t *testing.T) {
	var err error = &ValidationError{Field: "Code", Reason: "must be 3 to 9 digits"}
	assert.Equal(t, "bsg2fa: invalid Code: must be 3 to 9 digits", err.Error())
	assert.ErrorIs(t, err, ErrInvalidParams)
	assert.ErrorIs(t, fmt.Errorf("verify: %w", err), ErrInvalidParams)
	assert.NotErrorIs(t, err, ErrWrongCode)
	var ve *ValidationError
	require.ErrorAs(t, fmt.Errorf("verify: %w", err), &ve)
	assert.Equal(t, "Code", ve.Field)
	var nilErr *ValidationError
	assert.Equal(t, "bsg2fa: <nil ValidationError>", nilErr.Error())
}

func TestResponseError(t *testing.T) {
	decodeErr := json.Unmarshal([]byte("<html>"), new(any))
	malformed := &ResponseError{
		StatusCode:  200,
		ContentType: "text/html; charset=utf-8",
		Snippet:     snippet([]byte("<html><body>Oops</body></html>")),
		Err:         fmt.Errorf("%w: %w", ErrMalformedResponse, decodeErr),
	}
	assert.Equal(t,
		`bsg2fa: malformed response: invalid character '<' looking for beginning of value (status 200, text/html; charset=utf-8): body starts "<html><body>Oops</body></html>"`,
		malformed.Error())
	assertExactly(t, malformed, ErrMalformedResponse)
	var syntaxErr *json.SyntaxError
	assert.ErrorAs(t, malformed, &syntaxErr, "the decode error stays reachable")
	assert.Equal(t, malformed.Err, malformed.Unwrap())

	tooLarge := &ResponseError{StatusCode: 503, ContentType: "text/html", Err: ErrResponseTooLarge}
	assert.Equal(t, "bsg2fa: response too large (status 503, text/html)", tooLarge.Error())
	assertExactly(t, tooLarge, ErrResponseTooLarge, ErrServiceUnavailable)
	assertExactly(t, fmt.Errorf("get: %w", tooLarge), ErrResponseTooLarge, ErrServiceUnavailable)

	bare := &ResponseError{StatusCode: 401}
	assert.Equal(t, "bsg2fa: malformed response (status 401)", bare.Error())
	assertExactly(t, bare, ErrMalformedResponse, ErrUnauthorized)
	assertExactly(t, &ResponseError{StatusCode: 402}, ErrMalformedResponse, ErrInsufficientFunds)
	assertExactly(t, &ResponseError{StatusCode: 429}, ErrMalformedResponse, ErrRateLimited)

	hostile := &ResponseError{StatusCode: 200, ContentType: "text/plain\r\nX-Evil: 1", Err: ErrMalformedResponse}
	assert.NotContains(t, hostile.Error(), "\n")

	var nilErr *ResponseError
	assert.Equal(t, "bsg2fa: <nil ResponseError>", nilErr.Error())
	assert.False(t, nilErr.Is(ErrMalformedResponse))
	var apiErr *APIError
	assert.False(t, errors.As(error(malformed), &apiErr))
}

func TestSnippet(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiZXhwIjoxNzAwMDAwMDAwfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	tests := []struct {
		name, body, want string
	}{
		{"empty", "", ""},
		{"JSON", `{"data": null}`, `{"data": null}`},
		{"HTML", "<html>\n  <body>Bad   Gateway</body>\n</html>\n", "<html> <body>Bad Gateway</body> </html>"},
		{"a bearer", `{"bearer":"` + jwt + `"}`, `{"bearer":"[REDACTED]"}`},
		{"an API key", `{"api_key":"live_0123456789abcdefABCDEF0123"}`, `{"api_key":"[REDACTED]"}`},
		{"short words stay", `{"status":"pending","id":"bf4381c8"}`, `{"status":"pending","id":"bf4381c8"}`},
		{"non-ASCII", "prix: 5 €, été", "prix: 5 ?, ?t?"},
		{"controls", "a\x00b\x1bc\x7fd", "a?b?c?d"},
		{"invalid UTF-8", "a\xff\xfeb", "a??b"},
		{"leading white space", "\n\n  {}", "{}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, snippet([]byte(tt.body)))
		})
	}

	long := snippet([]byte(strings.Repeat("<p>hi</p> ", 1000)))
	assert.Len(t, long, maxSnippetLen)
	assert.True(t, strings.HasSuffix(long, "..."))

	// A token that starts near the cut is still recognised as a whole.
	cut := snippet([]byte(strings.Repeat("x ", 58) + jwt))
	assert.NotContains(t, cut, "eyJ")
	assert.LessOrEqual(t, len(cut), maxSnippetLen)

	for _, body := range []string{strings.Repeat("\xe2\x82\xac", 1000), strings.Repeat("a", 1<<20)} {
		s := snippet([]byte(body))
		assert.LessOrEqual(t, len(s), maxSnippetLen)
		for _, c := range []byte(s) {
			assert.True(t, c >= 0x20 && c < 0x7f, "printable ASCII only")
		}
	}
}

func TestMessageTableIsComplete(t *testing.T) {
	// Every message the tests list is in the table, and every sentinel of the table is one a
	// caller can name.
	for _, d := range documented {
		_, ok := lookupMessage(d.message)
		assert.True(t, ok, d.message)
	}
	for _, m := range integration {
		idx, ok := lookupMessage(m)
		assert.True(t, ok, m)
		assert.Equal(t, uint8(integrationIndex), idx, m)
	}
	assert.Less(t, len(messageSentinels), integrationIndex)
	for _, s := range messageSentinels {
		assert.Contains(t, allSentinels, s)
	}
}

func BenchmarkNewAPIError(b *testing.B) {
	body := []byte(`{"message":"TwoFA Service error.","errors":["The code does not match the expected value"]}`)
	b.ReportAllocs()
	for b.Loop() {
		e := newAPIError(404, body)
		if !errors.Is(e, ErrWrongCode) {
			b.Fatal("no match")
		}
	}
}

// TestMessageKeyFoldsASCIIOnly: case and white space are folded in ASCII only, as the
// service varies them; other characters are compared as they are.
func TestMessageKeyFoldsASCIIOnly(t *testing.T) {
	tests := []struct {
		name    string
		message string
		want    error // the sentinel the 422 matches
	}{
		{name: "documented", message: "Template not found", want: ErrTemplateNotFound},
		{name: "ASCII case, spaces, period", message: "  TEMPLATE\tnot   found. ", want: ErrTemplateNotFound},
		{name: "padded within the lookup bound", message: strings.Repeat(" ", 600) + "Template not found", want: ErrTemplateNotFound},
		{name: "no-break space is not white space here", message: "Template\u00a0not found", want: ErrInvalidParams},
		{name: "dotted capital I is not i", message: "\u0130nsufficient funds", want: ErrInvalidParams},
		{name: "Kelvin sign is not k", message: "Authentication \u212aink", want: ErrInvalidParams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &APIError{StatusCode: http.StatusUnprocessableEntity, Message: tt.message}
			assert.ErrorIs(t, e, tt.want)
			if tt.want == ErrInvalidParams {
				for _, s := range messageSentinels {
					assert.NotErrorIs(t, e, s)
				}
			}
		})
	}
}
