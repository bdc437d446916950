package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// Run with go test -run '^$' -fuzz '^FuzzResponse$' -fuzztime 60s ./wrapper/
// Without -fuzz, the seeds run as ordinary tests.

// Documented bodies not among the shared test constants.
const (
	fuzzListBody = `{"data":{"list":[{"id":"ea5db413-e368-4952-b745-cc2030210c49","recipient":"380501403813",
"status":"verified","channel":"sms","sender":"testsms","sender_alt":"string","code_lifetime":30,"code_max_tries":5,
"code_digits":6,"price":50.25,"currency":"EUR","country_code":"FR","expired_at":"2022-04-28 14:21:16",
"created_at":"2022-04-28 14:21:16","updated_at":"2022-04-28 14:21:16","finished_at":"2022-04-28 14:21:16"}],"total":1}}`
	fuzzTokenBody     = `{"bearer":"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpYXQiOjE2ODE4MjEwMDYsImV4cCI6MTY4NDQxMzAwNn0.c2lnbmF0dXJl"}`
	fuzzError404      = `{"errors":[{"message":"The code does not match the expected value"}]}`
	fuzzError422      = `{"message":"The given data was invalid.","errors":{"recipient":["The recipient field is required."]}}`
	fuzzErrorStrings  = `{"message":"TwoFA Service error.","errors":["Authentication not found"]}`
	fuzzUnauthorized  = `{"message":"Unauthenticated."}`
	fuzzTooMany       = `{"message":"Too many duplicate request detected"}`
	fuzzCode          = leakCode // see containsSecret: no number printed by chance can hold it
	fuzzResponseLimit = 2 << 10
)

// fuzzOps are the operations whose answers are fuzzed; "login" fuzzes the token answer of a
// client that must log in first.
var fuzzOps = []string{
	"send", "resend", "verify", "cancel", "get", "list", "list-iter",
	"create-template", "get-template", "delete-template", "list-templates", "list-templates-iter", "login",
}

// fuzzTransport answers every request with the fuzzed response; when login is not the fuzzed
// operation, a login gets a valid bearer.
type fuzzTransport struct {
	fuzzLogin   bool
	status      int
	contentType string
	retryAfter  string
	body        []byte
	bearer      string
}

func (f *fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	h := http.Header{}
	status, body := f.status, f.body
	if strings.HasSuffix(r.URL.Path, "/auth/login") && !f.fuzzLogin {
		status, body = http.StatusOK, []byte(`{"bearer":"`+f.bearer+`"}`)
		h.Set("Content-Type", "application/json")
	} else {
		if f.contentType != "" {
			h.Set("Content-Type", f.contentType)
		}
		if f.retryAfter != "" {
			h.Set("Retry-After", f.retryAfter)
		}
	}
	return &http.Response{
		StatusCode:    status,
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}

func FuzzResponse(f *testing.F) {
	type seed struct {
		op     string
		status int
		body   string
	}
	seeds := []seed{
		{"send", 201, sendBody}, {"resend", 200, sendBody}, {"verify", 200, statusBody}, {"cancel", 200, canceledBody},
		{"get", 200, statusBody}, {"list", 200, fuzzListBody}, {"list-iter", 200, fuzzListBody},
		{"create-template", 201, templateBody}, {"get-template", 200, templateBody}, {"delete-template", 200, deleteBody},
		{"list-templates", 200, templateListBody}, {"list-templates-iter", 200, templateListBody}, {"login", 200, fuzzTokenBody},
		{"verify", 404, fuzzError404}, {"send", 422, fuzzError422}, {"get", 404, fuzzErrorStrings},
		{"get", 401, fuzzUnauthorized}, {"send", 429, fuzzTooMany}, {"get", 503, `<html>down</html>`},
		{"login", 200, `{"bearer":""}`}, {"login", 401, fuzzUnauthorized}, {"get", 200, `{"data":null}`},
		{"get", 200, statusBody[:100]}, {"list", 200, `{"data":{"list":[],"total":1000000000}}`},
		{"list-templates", 200, `{"data":[],"total":99}`},
		// A service echoing what it was sent: the code, the key, the bearer.
		{"verify", 200, `{"data":{"id":"x","message_text":"code ` + fuzzCode + `","code_digits":"six"}}`},
		{"verify", 422, `{"errors":{"` + testAPIKey + `":["` + fuzzCode + `"]}}`},
		{"get", 200, `{"data":{"id":"` + testAPIKey + `","code_lifetime":"x"}}`},
	}
	for i, s := range seeds {
		ct := "application/json"
		if i%5 == 4 {
			ct = "text/html"
		}
		f.Add(uint8(slices.Index(fuzzOps, s.op)), uint16(s.status), ct, "", []byte(s.body))
	}
	f.Add(uint8(4), uint16(429), "application/json", "Mon, 02 Jan 2006 15:04:05 GMT", []byte(fuzzTooMany))
	f.Add(uint8(0), uint16(503), "application/json", "5", []byte(`{}`))

	bearer := testkit.JWTAt(time.Now(), time.Now().Add(time.Hour))
	f.Fuzz(func(t *testing.T, opIndex uint8, status uint16, contentType, retryAfter string, body []byte) {
		op := fuzzOps[int(opIndex)%len(fuzzOps)]
		code := int(status)
		if code < 200 || code > 599 {
			code = 200 + code%400 // what a response reaching the client can carry
		}
		tr := &fuzzTransport{fuzzLogin: op == "login", status: code, contentType: contentType,
			retryAfter: retryAfter, body: body, bearer: bearer}
		hc := &http.Client{Transport: tr, CheckRedirect: noRedirects}
		opts := []Option{WithHTTPClient(hc), WithMaxRetries(1), WithMaxResponseBytes(fuzzResponseLimit), WithRetryAfterCap(time.Second)}
		if op != "login" {
			opts = append(opts, WithToken(bearer))
		}
		c, err := New(testAPIKey, opts...)
		if err != nil {
			t.Fatal(err)
		}
		c.sleep = func(context.Context, time.Duration) error { return nil }

		res, err := runFuzzOp(c, op)
		if err == nil {
			if code < 200 || code >= 300 {
				t.Fatalf("%s: status %d gave no error", op, code)
			}
			if isZeroResult(res) {
				t.Fatalf("%s: a zero result %#v with a nil error", op, res)
			}
			return
		}
		if res != nil && !isZeroResult(res) {
			t.Fatalf("%s: a result %#v with the error %v", op, res, err)
		}
		var apiErr *APIError
		var re *ResponseError
		switch {
		case errors.As(err, &apiErr):
			if apiErr.StatusCode != code {
				t.Fatalf("%s: APIError status %d, answer %d", op, apiErr.StatusCode, code)
			}
		case errors.As(err, &re):
			if re.StatusCode != code {
				t.Fatalf("%s: ResponseError status %d, answer %d", op, re.StatusCode, code)
			}
			if !errors.Is(err, ErrMalformedResponse) && !errors.Is(err, ErrResponseTooLarge) {
				t.Fatalf("%s: ResponseError matches neither kind: %v", op, err)
			}
		default:
			t.Fatalf("%s: status %d: an error without the status: %v (%T)", op, code, err, err)
		}
		printed := fmt.Sprintf("%v|%+v|%#v|%s", err, err, err, err.Error())
		if apiErr != nil && apiErr.RetryAfter > 0 {
			// The wait is the client's own rendering of a number: a date in Retry-After gives
			// any nanosecond fraction, which is no echo of the request.
			printed = strings.ReplaceAll(printed, apiErr.RetryAfter.String(), "")
			printed = strings.ReplaceAll(printed, strconv.FormatInt(int64(apiErr.RetryAfter), 10), "")
		}
		secrets := []string{testAPIKey, bearer}
		if op == "verify" {
			secrets = append(secrets, fuzzCode) // the code is a secret of the call that sends it
		}
		for _, s := range secrets {
			if containsSecret(printed, s) {
				t.Fatalf("%s: a secret in the error: %s", op, printed)
			}
		}
	})
}

// runFuzzOp runs op and returns what it returned; iterators give the slice of what they
// yielded before the first error.
func runFuzzOp(c *Client, op string) (any, error) {
	ctx := context.Background()
	list := ListAuthenticationsRequest{From: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 1, 31, 0, 0, 0, 0, time.UTC)}
	switch op {
	case "send":
		return c.SendOTP(ctx, SendOTPRequest{Recipient: "380979965073", Channel: ChannelSMS, Sender: "SHOP", TemplateID: 12})
	case "resend":
		return c.ResendOTP(ctx, "s1")
	case "verify":
		return c.VerifyOTP(ctx, "s1", fuzzCode)
	case "cancel":
		return c.CancelOTP(ctx, "s1")
	case "get", "login":
		return c.GetAuthentication(ctx, statusID)
	case "list":
		return c.ListAuthenticationsPage(ctx, list)
	case "list-iter":
		var got []Authentication
		for a, err := range c.ListAuthentications(ctx, list) {
			if err != nil {
				return nil, err
			}
			if got = append(got, a); len(got) >= 50 {
				break
			}
		}
		return got, nil
	case "create-template":
		return c.CreateTemplate(ctx, CreateTemplateRequest{Name: "template name", Text: "test code is {code2fa}", Countries: []string{"UA"}})
	case "get-template":
		return c.GetTemplate(ctx, 515)
	case "delete-template":
		if err := c.DeleteTemplate(ctx, 515); err != nil {
			return nil, err
		}
		return struct{}{}, nil
	case "list-templates":
		return c.ListTemplatesPage(ctx, ListTemplatesRequest{})
	case "list-templates-iter":
		var got []Template
		for tpl, err := range c.ListTemplates(ctx, ListTemplatesRequest{}) {
			if err != nil {
				return nil, err
			}
			if got = append(got, tpl); len(got) >= 50 {
				break
			}
		}
		return got, nil
	}
	panic("unknown op " + op)
}

// isZeroResult reports whether a result is nil or empty where it must not be: a session or
// template without an id, or a nil page.
func isZeroResult(v any) bool {
	switch r := v.(type) {
	case nil:
		return true
	case *Authentication:
		return r == nil || r.ID == ""
	case *Template:
		return r == nil || r.ID == 0
	case *AuthenticationPage:
		return r == nil
	case *TemplatePage:
		return r == nil
	case []Authentication:
		for _, a := range r {
			if a.ID == "" {
				return true
			}
		}
	case []Template:
		for _, tpl := range r {
			if tpl.ID == 0 {
				return true
			}
		}
	}
	return false
}
