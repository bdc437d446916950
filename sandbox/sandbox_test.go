package sandbox_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/gen"
	"github.com/go-bsg/bsg2fa/sandbox"
)

const (
	otpPath       = "/api/2fa/authentications/otp"
	authPath      = "/api/2fa/authentications/"
	templatesPath = "/api/2fa/authentications/templates"
)

func TestLoginAndRefresh(t *testing.T) {
	e := setup(t)
	ctx := context.Background()

	status, body, _ := e.do(http.MethodPost, "/api/auth/login", `{"api_key":"wrong"}`)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.JSONEq(t, `{"message":"Unauthenticated."}`, body)

	status, body, _ = e.do(http.MethodPost, "/api/auth/login", `{"api_key":""}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.JSONEq(t, `{"message":"The given data was invalid.","errors":{"api_key":["The api key must be at least 1 characters."]}}`, body)

	status, body, _ = e.do(http.MethodGet, authPath+"x", "")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.JSONEq(t, `{"message":"Unauthenticated."}`, body)

	e.login()
	parts := strings.Split(e.bearer, ".")
	require.Len(t, parts, 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	claims := decode[map[string]any](t, string(payload))
	assert.Equal(t, float64(e.clock.Now().Unix()), claims["iat"])
	assert.Equal(t, float64(e.clock.Now().Add(720*time.Hour).Unix()), claims["exp"])

	first := e.bearer
	refreshed, err := e.client.RefreshTokenWithResponse(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, refreshed.StatusCode())
	assert.NotEqual(t, first, refreshed.JSON200.Bearer)

	// A bearer with a forged signature or a foreign header is refused.
	for _, bad := range []string{
		parts[0] + "." + parts[1] + ".AAAA" + parts[2][4:],
		"eyJhbGciOiJub25lIn0." + parts[1] + ".",
		"not-a-jwt",
	} {
		e.bearer = bad
		status, _, _ = e.do(http.MethodPost, "/api/auth/refresh", "")
		assert.Equal(t, http.StatusUnauthorized, status, bad)
	}

	// Tokens expire by the sandbox clock.
	e.bearer = refreshed.JSON200.Bearer
	e.clock.Advance(720*time.Hour + time.Second)
	status, body, _ = e.do(http.MethodPost, "/api/auth/refresh", "")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.JSONEq(t, `{"message":"Unauthenticated."}`, body)
}

func TestTokenTTLAndAnyKey(t *testing.T) {
	// A sandbox without WithAPIKey accepts any non-empty key.
	e2 := setup(t, sandbox.WithAPIKey(""), sandbox.WithTokenTTL(time.Minute))
	status, body, _ := e2.do(http.MethodPost, "/api/auth/login", `{"api_key":"anything"}`)
	require.Equal(t, http.StatusOK, status)
	e2.bearer = decode[gen.TokenResponse](t, body).Bearer
	e2.clock.Advance(59 * time.Second)
	status, _, _ = e2.do(http.MethodPost, "/api/auth/refresh", "")
	assert.Equal(t, http.StatusOK, status)
	e2.clock.Advance(time.Second)
	status, _, _ = e2.do(http.MethodPost, "/api/auth/refresh", "")
	assert.Equal(t, http.StatusUnauthorized, status)
}

func TestSendVerifyFlow(t *testing.T) {
	e := setup(t)
	e.login()
	ctx := context.Background()

	var recipient gen.Recipient
	require.NoError(t, recipient.FromPhoneNumber("380979965073"))
	var tmpl gen.TemplateId
	require.NoError(t, tmpl.FromTemplateIdNumber(1))
	alt := "SENDER_ALT"
	sent, err := e.client.SendOtpWithResponse(ctx, gen.SendOtpRequest{
		Recipient: recipient, Channel: "Viber", Sender: "SENDER", SenderAlt: alt, TemplateId: tmpl,
		CodeLifetime: 300, CodeMaxTries: 3, CodeDigits: 5,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, sent.StatusCode(), string(sent.Body))
	a := sent.JSON201.Data
	assert.Equal(t, gen.AuthenticationStatusPending, a.Status)
	assert.Equal(t, "viber", a.Channel)
	assert.Equal(t, "UA", a.CountryCode)
	assert.Equal(t, "USD", a.Currency)
	assert.Equal(t, "Your code is {code}", a.MessageText)
	assert.Equal(t, "2024-05-10 12:00:00", a.CreatedAt)
	assert.Equal(t, "2024-05-10 12:05:00", a.ExpiredAt)
	assert.Nil(t, a.FinishedAt)
	require.NotNil(t, a.SenderAlt)
	assert.Equal(t, alt, *a.SenderAlt)
	assert.Contains(t, string(sent.Body), `"price":"0"`)
	assert.Contains(t, string(sent.Body), `"finished_at":null`)

	code, ok := e.srv.LastCode(a.Id)
	require.True(t, ok)
	assert.Len(t, code, 5)
	assert.NotContains(t, string(sent.Body), code)

	wrong := "00000"
	if code == wrong {
		wrong = "11111"
	}
	status, body, _ := e.do(http.MethodPost, otpPath+"/"+a.Id+"/verify", `{"access_code":"`+wrong+`"}`)
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, rule("The code does not match the expected value"), body)

	e.clock.Advance(3 * time.Second)
	status, body, _ = e.do(http.MethodPost, otpPath+"/"+a.Id+"/verify", `{"access_code":"`+code+`"}`)
	require.Equal(t, http.StatusOK, status, body)
	v := decode[gen.AuthenticationResponse](t, body).Data
	assert.Equal(t, gen.AuthenticationStatusVerified, v.Status)
	require.NotNil(t, v.FinishedAt)
	assert.Equal(t, "2024-05-10 12:00:03", *v.FinishedAt)
	assert.Contains(t, body, `"price":"0,02"`)

	status, body, _ = e.do(http.MethodPost, otpPath+"/"+a.Id+"/verify", `{"access_code":"`+code+`"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.JSONEq(t, rule("Authentication invalid status"), body)

	// Status with its message, delivered after the delivery delay.
	got, err := e.client.GetAuthenticationWithResponse(ctx, a.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	require.Len(t, got.JSON200.Data.Messages, 1)
	m := got.JSON200.Data.Messages[0]
	assert.Equal(t, gen.MessageStatusDelivered, m.Status)
	require.NotNil(t, m.SentAt)
	assert.Equal(t, "2024-05-10 12:00:02", *m.SentAt)
	id, err := m.Id.AsMessageId0()
	require.NoError(t, err)
	assert.Positive(t, id)
	assert.Contains(t, string(got.Body), `"price":0.0642918`)

	// The sandbox endpoint shows the code to any language.
	status, body, _ = e.do(http.MethodGet, "/_sandbox/authentications/"+a.Id+"/code", "")
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"code":"`+code+`"}`, body)
	status, body, _ = e.do(http.MethodGet, "/_sandbox/authentications/nope/code", "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, rule("Authentication not found"), body)
}

func TestVendorRequestForms(t *testing.T) {
	e := setup(t)
	e.login()
	// The documentation page's table types recipient and access_code as integers, its
	// examples template_id as a string and a number, and channel as "SMS".
	status, body, _ := e.do(http.MethodPost, otpPath,
		`{"recipient":61401629754,"channel":"SMS","sender":"SENDER","template_id":1,"code_lifetime":30,"code_max_tries":1,"code_digits":9}`)
	require.Equal(t, http.StatusCreated, status, body)
	a := decode[gen.AuthenticationResponse](t, body).Data
	assert.Equal(t, "61401629754", a.Recipient)
	assert.Equal(t, "AU", a.CountryCode)
	assert.Equal(t, "sms", a.Channel)
	assert.Contains(t, body, `"sender_alt":null`)

	code, _ := e.srv.LastCode(a.Id)
	n := strings.TrimLeft(code, "0")
	if n == "" {
		n = "0"
	}
	status, body, _ = e.do(http.MethodPost, otpPath+"/"+a.Id+"/verify", `{"access_code":`+n+`}`)
	assert.Equal(t, http.StatusOK, status, body)
}

func TestAttemptsResendCancelExpiry(t *testing.T) {
	e := setup(t)
	e.login()
	verify := func(id, code string) (int, string) {
		status, body, _ := e.do(http.MethodPost, otpPath+"/"+id+"/verify", `{"access_code":"`+code+`"}`)
		return status, body
	}

	// The code_max_tries-th wrong code fails the session.
	failed, code := e.send("33612345678", 300, 2, 4)
	wrong := "0000"
	if code == wrong {
		wrong = "1111"
	}
	status, _ := verify(failed, wrong)
	assert.Equal(t, http.StatusNotFound, status)
	status, body := verify(failed, wrong)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.JSONEq(t, rule("Authentication verifying attempts limit"), body)

	// Resend: a new code and message; the old code dies.
	resent, oldCode := e.send("351912345678", 300, 3, 6)
	e.clock.Advance(10 * time.Second)
	status, body, _ = e.do(http.MethodPost, otpPath+"/"+resent+"/resend", "")
	require.Equal(t, http.StatusOK, status, body)
	r := decode[gen.AuthenticationResponse](t, body).Data
	assert.Equal(t, "2024-05-10 12:05:10", r.ExpiredAt)
	newCode, _ := e.srv.LastCode(resent)
	require.NotEqual(t, oldCode, newCode, "the seeded source draws different codes")
	status, _ = verify(resent, oldCode)
	assert.Equal(t, http.StatusNotFound, status)

	// Cancel.
	canceled, _ := e.send("393123456789", 300, 3, 6)
	status, body, _ = e.do(http.MethodPost, authPath+canceled+"/cancel", "")
	require.Equal(t, http.StatusOK, status, body)
	c := decode[gen.AuthenticationResponse](t, body).Data
	assert.Equal(t, gen.AuthenticationStatusCanceled, c.Status)
	assert.NotNil(t, c.FinishedAt)
	assert.Contains(t, body, `"price":"0"`)

	// Expiry, evaluated lazily by the clock.
	expired, expiredCode := e.send("447700900123", 30, 3, 6)
	e.clock.Advance(30 * time.Second)
	status, body = verify(expired, expiredCode)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.JSONEq(t, rule("Access code expired"), body)
	got := e.get(expired)
	assert.Equal(t, gen.AuthenticationStatusExpired, got.Status)
	require.NotNil(t, got.FinishedAt)
	assert.Equal(t, got.ExpiredAt, *got.FinishedAt)

	// Every operation on a finished session, in the service's words.
	verified, verifiedCode := e.send("12025550123", 300, 3, 6)
	status, _ = verify(verified, verifiedCode)
	require.Equal(t, http.StatusOK, status)

	tests := []struct {
		id, op, want string
	}{
		{failed, "verify", "Authentication failed status"},
		{failed, "resend", "Authentication failed status"},
		{failed, "cancel", "Authentication failed status"},
		{canceled, "verify", "Authentication canceled status"},
		{canceled, "resend", "Authentication canceled status"},
		{canceled, "cancel", "Authentication canceled status"},
		{expired, "verify", "Access code expired"},
		{expired, "resend", "Authentication expired"},
		{expired, "cancel", "Authentication expired"},
		{verified, "verify", "Authentication invalid status"},
		{verified, "resend", "Authentication invalid status"},
		{verified, "cancel", "Authentication invalid status"},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.want, func(t *testing.T) {
			var status int
			var body string
			switch tt.op {
			case "verify":
				status, body = verify(tt.id, "123456")
			case "resend":
				status, body, _ = e.do(http.MethodPost, otpPath+"/"+tt.id+"/resend", "")
			case "cancel":
				status, body, _ = e.do(http.MethodPost, authPath+tt.id+"/cancel", "")
			}
			assert.Equal(t, http.StatusUnprocessableEntity, status)
			assert.JSONEq(t, rule(tt.want), body)
		})
	}

	// Unknown ids, and ids too long to exist.
	for _, req := range [][2]string{
		{http.MethodGet, authPath + strings.Repeat("a", 37)},
		{http.MethodPost, authPath + strings.Repeat("a", 37) + "/cancel"},
		{http.MethodPost, otpPath + "/nope/verify"},
		{http.MethodPost, otpPath + "/nope/resend"},
		{http.MethodPost, authPath + "nope/cancel"},
		{http.MethodGet, authPath + "nope"},
	} {
		body := ""
		if strings.HasSuffix(req[1], "verify") {
			body = `{"access_code":"123456"}`
		}
		status, got, _ := e.do(req[0], req[1], body)
		assert.Equal(t, http.StatusNotFound, status, req[1])
		assert.JSONEq(t, rule("Authentication not found"), got, req[1])
	}
}

func (e *env) get(id string) gen.Authentication {
	e.t.Helper()
	resp, err := e.client.GetAuthenticationWithResponse(context.Background(), id)
	require.NoError(e.t, err)
	require.Equal(e.t, http.StatusOK, resp.StatusCode(), string(resp.Body))
	return resp.JSON200.Data
}

func TestList(t *testing.T) {
	e := setup(t)
	e.login()
	ua, _ := e.send("380501403813", 300, 3, 6)
	e.clock.Advance(time.Second)
	fr, _ := e.send("33612345678", 300, 3, 6)
	status, body, _ := e.do(http.MethodPost, authPath+fr+"/cancel", "")
	require.Equal(t, http.StatusOK, status, body)
	e.clock.Advance(23 * time.Hour) // the next day, within the 24h retention of fr
	de, _ := e.send("4915112345678", 300, 3, 6)
	e.clock.Advance(time.Second)
	viber := strings.Replace(sendBody("48601234567", 300, 3, 6), `"sms"`, `"viber"`, 1)
	status, body, _ = e.do(http.MethodPost, otpPath, viber)
	require.Equal(t, http.StatusCreated, status, body)
	pl := decode[gen.AuthenticationResponse](t, body).Data.Id

	ids := func(query string) ([]string, int) {
		t.Helper()
		status, body, _ := e.do(http.MethodGet, "/api/2fa/authentications?"+query, "")
		require.Equal(t, http.StatusOK, status, body)
		out := decode[gen.AuthenticationListResponse](t, body)
		var got []string
		for _, a := range out.Data.List {
			require.NotEmpty(t, a.Messages)
			got = append(got, a.Id)
		}
		return got, out.Data.Total
	}
	tests := []struct {
		name  string
		query string
		want  []string
		total int
	}{
		{"whole days, both ends inclusive", "filter[from]=2024-05-10&filter[to]=2024-05-11", []string{ua, fr, de, pl}, 4},
		{"one day", "filter[from]=2024-05-10&filter[to]=2024-05-10", []string{ua, fr}, 2},
		{"date-times are instants", "filter[from]=2024-05-10T12:00:01Z&filter[to]=2024-05-10%2012:00:01", []string{fr}, 1},
		{"desc", "filter[from]=2024-05-10&filter[to]=2024-05-11&way=desc", []string{pl, de, fr, ua}, 4},
		{"ids repeated", "filter[from]=2024-05-10&filter[to]=2024-05-11&filter[ids]=" + ua + "&filter[ids]=" + de, []string{ua, de}, 2},
		{"status", "filter[from]=2024-05-10&filter[to]=2024-05-11&filter[status]=canceled", []string{fr}, 1},
		{"channel any case", "filter[from]=2024-05-10&filter[to]=2024-05-11&filter[channel]=Viber", []string{pl}, 1},
		{"recipient", "filter[from]=2024-05-10&filter[to]=2024-05-11&filter[recipient]=4915112345678", []string{de}, 1},
		{"country", "filter[from]=2024-05-10&filter[to]=2024-05-11&filter[country_code]=ua", []string{ua}, 1},
		{"sort by country", "filter[from]=2024-05-10&filter[to]=2024-05-11&sort=country_code", []string{de, fr, pl, ua}, 4},
		{"offset", "filter[from]=2024-05-10&filter[to]=2024-05-11&page[offset]=3&page[limit]=10", []string{pl}, 4},
		{"past the end", "filter[from]=2024-05-10&filter[to]=2024-05-11&page[offset]=9", nil, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total := ids(tt.query)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.total, total)
		})
	}

	// Sessions left pending are listed as expired once their lifetime is over.
	e.clock.Advance(10 * time.Minute)
	status, body, _ = e.do(http.MethodGet, "/api/2fa/authentications?filter[from]=2024-05-10&filter[to]=2024-05-11&filter[status]=expired", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, 3, decode[gen.AuthenticationListResponse](t, body).Data.Total)

	// page[limit] defaults to 10.
	for range 12 {
		e.send("380501403813", 300, 3, 6)
	}
	got, total := ids("filter[from]=2024-05-10&filter[to]=2024-05-11")
	assert.Len(t, got, 10)
	assert.Equal(t, 16, total)
}

func TestValidation(t *testing.T) {
	e := setup(t)
	e.login()
	tests := []struct {
		name, method, path, body, want string
	}{
		{"empty body", http.MethodPost, otpPath, "",
			`{"message":"The given data was invalid.","errors":{"recipient":["The recipient field is required."],"channel":["The channel field is required."],"sender":["The sender field is required."],"template_id":["The template id field is required."],"code_lifetime":["The code lifetime field is required."],"code_max_tries":["The code max tries field is required."],"code_digits":["The code digits field is required."]}}`},
		{"missing field", http.MethodPost, otpPath, `{"channel":"sms","sender":"SENDER","template_id":"1","code_lifetime":30,"code_max_tries":3,"code_digits":5}`,
			`{"message":"The given data was invalid.","errors":{"recipient":["The recipient field is required."]}}`},
		{"bad recipient", http.MethodPost, otpPath, strings.Replace(sendBody("380501403813", 30, 3, 5), "380501403813", "12ab", 1),
			`{"message":"The given data was invalid.","errors":{"recipient":["The recipient format is invalid."]}}`},
		{"lifetime out of range", http.MethodPost, otpPath, sendBody("380501403813", 301, 3, 5),
			`{"message":"The given data was invalid.","errors":{"code_lifetime":["The code lifetime must be between 30 and 300."]}}`},
		{"bad channel", http.MethodPost, otpPath, strings.Replace(sendBody("380501403813", 30, 3, 5), `"sms"`, `"fax"`, 1),
			`{"message":"The given data was invalid.","errors":{"channel":["The channel format is invalid."]}}`},
		{"not JSON", http.MethodPost, otpPath, `{"recipient":`,
			`{"message":"The given data was invalid.","errors":{"body":["The request body must be a JSON object."]}}`},
		{"verify code letters", http.MethodPost, otpPath + "/x/verify", `{"access_code":"12a"}`,
			`{"message":"The given data was invalid.","errors":{"access_code":["The access code format is invalid."]}}`},
		{"list without from", http.MethodGet, "/api/2fa/authentications?filter[to]=2024-05-10", "",
			`{"message":"The given data was invalid.","errors":{"filter[from]":["The filter[from] field is required."]}}`},
		{"limit too small", http.MethodGet, "/api/2fa/authentications?filter[from]=2024-05-10&filter[to]=2024-05-10&page[limit]=5", "",
			`{"message":"The given data was invalid.","errors":{"page[limit]":["The page[limit] must be between 10 and 500."]}}`},
		{"limit not a number", http.MethodGet, "/api/2fa/authentications?filter[from]=2024-05-10&filter[to]=2024-05-10&page[limit]=ten", "",
			`{"message":"The given data was invalid.","errors":{"page[limit]":["The page[limit] format is invalid."]}}`},
		{"bad date", http.MethodGet, "/api/2fa/authentications?filter[from]=2024-13-10&filter[to]=2024-05-10", "",
			`{"message":"The given data was invalid.","errors":{"filter[from]":["The filter[from] is not a valid date."]}}`},
		{"bad sort", http.MethodGet, "/api/2fa/authentications?filter[from]=2024-05-10&filter[to]=2024-05-10&sort=price", "",
			`{"message":"The given data was invalid.","errors":{"sort":["The selected sort is invalid."]}}`},
		{"four ids", http.MethodGet, "/api/2fa/authentications?filter[from]=2024-05-10&filter[to]=2024-05-10&filter[ids]=a&filter[ids]=b&filter[ids]=c&filter[ids]=d", "",
			`{"message":"The given data was invalid.","errors":{"filter[ids]":["The filter[ids] must have between 1 and 3 items."]}}`},
		{"template text without variable", http.MethodPost, templatesPath, `{"name":"abc","text":"no variable here","countries":["UA"]}`,
			`{"message":"The given data was invalid.","errors":{"text":["The variable {code2fa} is required in the text"]}}`},
		{"template country", http.MethodPost, templatesPath, `{"name":"abc","text":"code {code2fa}","countries":["UKR"]}`,
			`{"message":"The given data was invalid.","errors":{"countries.0":["The countries.0 format is invalid."]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, _ := e.do(tt.method, tt.path, tt.body)
			assert.Equal(t, http.StatusUnprocessableEntity, status)
			assert.JSONEq(t, tt.want, body)
		})
	}
}

func TestSendRules(t *testing.T) {
	tests := []struct {
		name      string
		opts      []sandbox.Option
		before    int // sends that succeed first
		recipient string
		status    int
		want      string
	}{
		{"stop list", []sandbox.Option{sandbox.WithStopList("380501403813")}, 0, "380501403813", 422, "Recipient exists on the stop list"},
		{"pending limit", []sandbox.Option{sandbox.WithPendingLimit(2)}, 2, "380501403813", 422, "Authentication limit with status pending"},
		{"total limit", []sandbox.Option{sandbox.WithTotalLimit(1)}, 1, "380501403813", 422, "Total authentication limit"},
		{"balance", []sandbox.Option{sandbox.WithBalance("0,13")}, 2, "380501403813", 402, "Insufficient funds"},
		{"empty balance", []sandbox.Option{sandbox.WithBalance("0")}, 0, "380501403813", 402, "Insufficient funds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.opts...)
			e.login()
			for range tt.before {
				e.send(tt.recipient, 300, 3, 6)
			}
			status, body, _ := e.do(http.MethodPost, otpPath, sendBody(tt.recipient, 300, 3, 6))
			assert.Equal(t, tt.status, status)
			assert.JSONEq(t, rule(tt.want), body)
		})
	}
}

func TestRateLimit(t *testing.T) {
	e := setup(t, sandbox.WithRateLimit(2))
	e.login()
	status, _, _ := e.do(http.MethodPost, "/api/auth/refresh", "")
	assert.Equal(t, http.StatusOK, status)
	status, body, header := e.do(http.MethodPost, "/api/auth/refresh", "")
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.JSONEq(t, `{"message":"Too many duplicate request detected"}`, body)
	assert.Equal(t, "1", header.Get("Retry-After"))
	// The sandbox endpoints are never limited.
	status, _, _ = e.do(http.MethodGet, "/_sandbox/authentications/x/code", "")
	assert.Equal(t, http.StatusNotFound, status)
	e.clock.Advance(time.Second)
	status, _, _ = e.do(http.MethodPost, "/api/auth/refresh", "")
	assert.Equal(t, http.StatusOK, status)
}

func TestTemplates(t *testing.T) {
	e := setup(t)
	e.login()
	ctx := context.Background()

	created, err := e.client.CreateTemplateWithResponse(ctx, gen.CreateTemplateRequest{
		Name: "template name", Text: "test code is {code2fa}", Countries: []string{"UA", "pt", "AD", "IT"},
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, created.StatusCode(), string(created.Body))
	tpl := created.JSON200.Data
	id, err := tpl.TemplateId.AsTemplateIdNumber()
	require.NoError(t, err)
	assert.Equal(t, 2, id)
	assert.Equal(t, gen.TemplateStatusRequested, tpl.Status)
	assert.Equal(t, []string{"AD", "IT", "PT", "UA"}, tpl.Countries)

	send := func(template, recipient string) (int, string) {
		body := strings.Replace(sendBody(recipient, 300, 3, 6), `"template_id":"1"`, `"template_id":"`+template+`"`, 1)
		status, got, _ := e.do(http.MethodPost, otpPath, body)
		return status, got
	}
	status, body := send("2", "380501403813")
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.JSONEq(t, rule("Invalid template status"), body)
	status, body = send("99", "380501403813")
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, rule("Template not found"), body)

	status, body, _ = e.do(http.MethodPost, "/_sandbox/templates/2/approve", "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"status":"approved"`)
	status, _, _ = e.do(http.MethodPost, "/_sandbox/templates/99/approve", "")
	assert.Equal(t, http.StatusNotFound, status)

	status, body = send("2", "380501403813")
	require.Equal(t, http.StatusCreated, status, body)
	assert.Contains(t, body, `"message_text":"test code is {code}"`)
	status, body = send("2", "4915112345678")
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.JSONEq(t, rule("The recipients phone number is located in a country that is not on the list of countries allowed for the selected template. Please register new message template."), body)

	require.NoError(t, e.srv.RejectTemplate(2))
	status, body = send("2", "380501403813")
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.JSONEq(t, rule("Invalid template status"), body)
	require.ErrorIs(t, e.srv.ApproveTemplate(404), sandbox.ErrTemplateNotFound)

	// Rules of creation.
	for _, tt := range []struct{ name, body, want string }{
		{"identical name", `{"name":"template name","text":"code {code2fa}","countries":["UA"]}`, "User has a template with the identical name!"},
		{"variable twice", `{"name":"twice","text":"{code2fa} {code2fa}","countries":["UA"]}`, "The {code2fa} variable must occur only once in the text"},
	} {
		status, body, _ := e.do(http.MethodPost, templatesPath, tt.body)
		assert.Equal(t, http.StatusUnprocessableEntity, status, tt.name)
		assert.JSONEq(t, rule(tt.want), body, tt.name)
	}
	for i := range 10 {
		status, body, _ := e.do(http.MethodPost, templatesPath, `{"name":"requested `+string(rune('a'+i))+`","text":"code {code2fa}","countries":["UA"]}`)
		require.Equal(t, http.StatusOK, status, body)
	}
	status, body, _ = e.do(http.MethodPost, templatesPath, `{"name":"eleventh","text":"code {code2fa}","countries":["UA"]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.JSONEq(t, rule("The number of requests to create a template is limited to 10. Please wait for the manager approve before making a new request."), body)

	// Get, list, delete.
	got, err := e.client.GetTemplateWithResponse(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	assert.Equal(t, "Your code is {code2fa}", got.JSON200.Data.Text)
	assert.Empty(t, got.JSON200.Data.Countries)
	assert.Equal(t, gen.TemplateStatusApproved, got.JSON200.Data.Status)

	status, body, _ = e.do(http.MethodGet, templatesPath+"?filter[status]=approved", "")
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"data":[{"template_id":1,"name":"Default","text":"Your code is {code2fa}","status":"approved","updated_at":"2024-05-10 12:00:00"}],"total":1}`, body)
	status, body, _ = e.do(http.MethodGet, templatesPath+"?sort=template_id&way=desc&page[limit]=10&filter[ids]=1&filter[ids]=2&filter[ids]=3", "")
	require.Equal(t, http.StatusOK, status)
	list := decode[gen.TemplateListResponse](t, body)
	items, err := list.Data.AsTemplateListResponseData0()
	require.NoError(t, err)
	require.Len(t, items, 3)
	assert.Equal(t, 3, list.Total)
	first, _ := items[0].TemplateId.AsTemplateIdNumber()
	assert.Equal(t, 3, first)
	status, body, _ = e.do(http.MethodGet, templatesPath, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, 12, decode[gen.TemplateListResponse](t, body).Total)

	status, body, _ = e.do(http.MethodDelete, templatesPath+"/1", "")
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.JSONEq(t, rule("Default template is not available for deletion"), body)
	status, body, _ = e.do(http.MethodDelete, templatesPath+"/2", "")
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"data":{"status":"Successfully removed"}}`, body)
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		for _, id := range []string{"2", "abc", "0", "1234567890"} {
			status, body, _ = e.do(method, templatesPath+"/"+id, "")
			assert.Equal(t, http.StatusNotFound, status, id)
			assert.JSONEq(t, rule("Template not found"), body, id)
		}
	}
}

func TestApprovedTemplateOption(t *testing.T) {
	e := setup(t, sandbox.WithApprovedTemplate(12, "shop", "Shop code {code2fa}", "fr"),
		sandbox.WithApprovedTemplate(1, "ignored", "x {code2fa}"), nil)
	e.login()
	body := strings.Replace(sendBody("33612345678", 300, 3, 6), `"template_id":"1"`, `"template_id":12`, 1)
	status, got, _ := e.do(http.MethodPost, otpPath, body)
	require.Equal(t, http.StatusCreated, status, got)
	assert.Contains(t, got, `"message_text":"Shop code {code}"`)
	status, got, _ = e.do(http.MethodPost, templatesPath, `{"name":"next","text":"code {code2fa}","countries":["UA"]}`)
	require.Equal(t, http.StatusOK, status, got)
	assert.Contains(t, got, `"template_id":13`)
}

func TestOptionsNeverPanic(t *testing.T) {
	srv := sandbox.New(
		sandbox.WithClock(nil), sandbox.WithRand(nil), sandbox.WithLogger(nil), sandbox.WithTokenTTL(-1),
		sandbox.WithRetention(0), sandbox.WithMaxSessions(-5), sandbox.WithPendingLimit(-1), sandbox.WithTotalLimit(-1),
		sandbox.WithBalance("lots"), sandbox.WithPrice("-1"), sandbox.WithMessagePrice("1e3"), sandbox.WithCurrency("dollars"),
		sandbox.WithRateLimit(-3), sandbox.WithDeliveryDelay(-time.Second), sandbox.WithStopList(),
		sandbox.WithApprovedTemplate(0, "", ""), nil,
	)
	_, ok := srv.LastCode("nothing")
	assert.False(t, ok)
	// The defaults stood in for every invalid value: a whole flow works.
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, jsonRequest(http.MethodPost, "/api/auth/login", `{"api_key":"any"}`, ""))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	auth := "Bearer " + decode[gen.TokenResponse](t, rec.Body.String()).Bearer
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, jsonRequest(http.MethodPost, otpPath, sendBody("380501403813", 300, 3, 6), auth))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), `"currency":"USD"`)
}

func TestRandomSourceFailure(t *testing.T) {
	e := setup(t, sandbox.WithRand(strings.NewReader("")))
	e.login()
	status, body, _ := e.do(http.MethodPost, otpPath, sendBody("380501403813", 300, 3, 6))
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.JSONEq(t, `{"message":"2FA Service error.","errors":[]}`, body)
}

func TestDeterministicCodes(t *testing.T) {
	codes := func() []string {
		e := setup(t)
		e.login()
		var out []string
		for range 3 {
			_, code := e.send("380501403813", 300, 3, 6)
			out = append(out, code)
		}
		return out
	}
	assert.Equal(t, codes(), codes())
}

func TestCodeDistribution(t *testing.T) {
	// Every digit appears in every position with about the same frequency (a loose check
	// that catches a constant or a skewed source, not a statistical proof).
	e := setup(t)
	e.login()
	var counts [3][10]int
	const n = 600
	for range n {
		_, code := e.send("380501403813", 300, 3, 3)
		for i, c := range code {
			counts[i][c-'0']++
		}
	}
	for pos := range counts {
		for digit, c := range counts[pos] {
			assert.InDelta(t, n/10, c, n/10*0.6, "position %d digit %d", pos, digit)
		}
	}
}
