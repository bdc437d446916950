package sandbox_test

import (
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
)

// hookEnv is a sandbox over real HTTP on the test kit's clock, with env's validating client;
// token is the bearer of the API calls, and the hooks are called without one.
type hookEnv struct {
	*env
	clock *testkit.Clock
	token string
}

func newHookEnv(t *testing.T, opts ...sandbox.Option) *hookEnv {
	t.Helper()
	clock := testkit.NewClock()
	srv := sandbox.New(append([]sandbox.Option{
		sandbox.WithClock(clock.Now), sandbox.WithRand(rand.NewChaCha8([32]byte{'h', 'o', 'o', 'k'})),
	}, opts...)...)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	e := &hookEnv{clock: clock, env: &env{t: t, srv: srv, url: ts.URL,
		http: &http.Client{Transport: testkit.NewSpecTransport(t, http.DefaultTransport)}}}
	e.token = e.login()
	return e
}

func (e *hookEnv) login() string {
	status, body := e.call(http.MethodPost, "/api/auth/login", `{"api_key":"k"}`, "")
	require.Equal(e.t, http.StatusOK, status, body)
	return decode[struct{ Bearer string }](e.t, body).Bearer
}

// call sends a request with bearer ("" for none).
func (e *hookEnv) call(method, path, body, bearer string) (int, string) {
	e.t.Helper()
	e.bearer = bearer
	status, out, _ := e.do(method, path, body)
	return status, out
}

func (e *hookEnv) send(recipient string) string {
	e.t.Helper()
	status, body := e.call(http.MethodPost, "/api/2fa/authentications/otp", sendBody(recipient, 300, 3, 6), e.token)
	require.Equal(e.t, http.StatusCreated, status, body)
	return decode[struct{ Data struct{ ID string } }](e.t, body).Data.ID
}

type codeAnswer struct {
	Code             string `json:"code"`
	AuthenticationID string `json:"authentication_id"`
	Recipient        string `json:"recipient"`
}

func TestHookCodeByRecipient(t *testing.T) {
	e := newHookEnv(t)
	first := e.send("380501234567")
	e.send("351912345678")

	status, body := e.call(http.MethodGet, "/_sandbox/recipients/+380%2050%20123-45-67/code", "", "")
	require.Equal(t, http.StatusOK, status, body)
	got := decode[codeAnswer](t, body)
	want, _ := e.srv.LastCode(first)
	assert.Equal(t, codeAnswer{Code: want, AuthenticationID: first, Recipient: "380501234567"}, got)

	// A resend sends a new code to the same number; a new session for it is newer still.
	status, body = e.call(http.MethodPost, "/api/2fa/authentications/otp/"+first+"/resend", "", e.token)
	require.Equal(t, http.StatusOK, status, body)
	resent, _ := e.srv.LastCode(first)
	status, body = e.call(http.MethodGet, "/_sandbox/recipients/380501234567/code", "", "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, resent, decode[codeAnswer](t, body).Code)
	second := e.send("380501234567")
	code, id, ok := e.srv.CodeFor("+380 (50) 123 45 67")
	require.True(t, ok)
	assert.Equal(t, second, id)
	latest, _ := e.srv.LastCode(second)
	assert.Equal(t, latest, code)

	status, body = e.call(http.MethodGet, "/_sandbox/recipients/447700900123/code", "", "")
	assert.Equal(t, http.StatusNotFound, status, body)
	status, body = e.call(http.MethodGet, "/_sandbox/recipients/not-a-phone/code", "", "")
	assert.Equal(t, http.StatusUnprocessableEntity, status, body)
}

type outbox struct {
	Data []struct {
		ID               int64  `json:"id"`
		AuthenticationID string `json:"authentication_id"`
		Recipient        string `json:"recipient"`
		Channel          string `json:"channel"`
		Sender           string `json:"sender"`
		Text             string `json:"text"`
		Code             string `json:"code"`
		CreatedAt        string `json:"created_at"`
	} `json:"data"`
	Total int `json:"total"`
}

func TestHookOutbox(t *testing.T) {
	e := newHookEnv(t)
	a := e.send("380501234567")
	e.clock.Advance(time.Minute)
	b := e.send("351912345678")
	status, body := e.call(http.MethodPost, "/api/2fa/authentications/otp/"+a+"/resend", "", e.token)
	require.Equal(t, http.StatusOK, status, body)
	codeA, _ := e.srv.LastCode(a)
	codeB, _ := e.srv.LastCode(b)

	status, body = e.call(http.MethodGet, "/_sandbox/messages", "", "")
	require.Equal(t, http.StatusOK, status, body)
	box := decode[outbox](t, body)
	require.Len(t, box.Data, 3)
	assert.Equal(t, 3, box.Total)
	newest := box.Data[0]
	assert.Equal(t, a, newest.AuthenticationID, "newest first")
	assert.Equal(t, "Your code is "+codeA, newest.Text)
	assert.Equal(t, codeA, newest.Code)
	assert.Equal(t, "sms", newest.Channel)
	assert.Equal(t, "SENDER", newest.Sender)
	assert.Equal(t, testkit.Epoch.Add(time.Minute).Format("2006-01-02 15:04:05"), newest.CreatedAt)
	assert.Equal(t, "Your code is "+codeB, box.Data[1].Text)
	assert.Equal(t, testkit.Epoch.Format("2006-01-02 15:04:05"), box.Data[2].CreatedAt)
	assert.Greater(t, box.Data[0].ID, box.Data[1].ID)

	status, body = e.call(http.MethodGet, "/_sandbox/messages?recipient=%2B380501234567", "", "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Len(t, decode[outbox](t, body).Data, 2)
	since := testkit.Epoch.Add(30 * time.Second).Format(time.RFC3339)
	status, body = e.call(http.MethodGet, "/_sandbox/messages?since="+since, "", "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Len(t, decode[outbox](t, body).Data, 2)
	status, _ = e.call(http.MethodGet, "/_sandbox/messages?since=yesterday", "", "")
	assert.Equal(t, http.StatusUnprocessableEntity, status)

	// Go sees the same outbox.
	msgs := e.srv.Messages()
	require.Len(t, msgs, 3)
	assert.Equal(t, newest.Text, msgs[0].Text)

	status, _ = e.call(http.MethodDelete, "/_sandbox/messages", "", "")
	require.Equal(t, http.StatusNoContent, status)
	status, body = e.call(http.MethodGet, "/_sandbox/messages", "", "")
	require.Equal(t, http.StatusOK, status)
	assert.Empty(t, decode[outbox](t, body).Data)
	e.send("380501234567")
	assert.Len(t, e.srv.Messages(), 1, "new messages appear after a clear")
	_, ok := e.srv.LastCode(a)
	assert.True(t, ok, "clearing the outbox keeps the sessions")
}

func TestHookFaults(t *testing.T) {
	e := newHookEnv(t)
	send := sendBody("380501234567", 300, 3, 6)

	// A 503 with the document's ServerError body, once, then the service is back.
	status, body := e.call(http.MethodPost, "/_sandbox/faults", `{"operation":"sendOtp","status":503,"times":1,"retry_after":2}`, "")
	require.Equal(t, http.StatusCreated, status, body)
	req, err := http.NewRequest(http.MethodPost, e.url+"/api/2fa/authentications/otp", strings.NewReader(send))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.http.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.JSONEq(t, `{"message":"2FA Service error.","errors":[]}`, string(b))
	assert.Equal(t, "2", resp.Header.Get("Retry-After"))
	e.send("380501234567")

	// A named example of a documented status, for every request until cleared.
	status, body = e.call(http.MethodPost, "/_sandbox/faults", `{"operation":"getAuthentication","status":404,"example":"not_found","times":-1}`, "")
	require.Equal(t, http.StatusCreated, status, body)
	for range 3 {
		status, body = e.call(http.MethodGet, "/api/2fa/authentications/bf4381c8-9d4a-4705-bd28-f89a830b7f96", "", e.token)
		assert.Equal(t, http.StatusNotFound, status)
		assert.JSONEq(t, `{"message":"TwoFA Service error.","errors":["Authentication not found"]}`, body)
	}
	status, body = e.call(http.MethodGet, "/_sandbox/faults", "", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"operation":"getAuthentication"`)
	status, _ = e.call(http.MethodDelete, "/_sandbox/faults", "", "")
	require.Equal(t, http.StatusNoContent, status)

	// Without a name, a documented status answers a body the service really sends, never the
	// document's placeholder example.
	status, body = e.call(http.MethodPost, "/_sandbox/faults", `{"operation":"getAuthentication","status":404,"times":1}`, "")
	require.Equal(t, http.StatusCreated, status, body)
	status, body = e.call(http.MethodGet, "/api/2fa/authentications/bf4381c8-9d4a-4705-bd28-f89a830b7f96", "", e.token)
	assert.Equal(t, http.StatusNotFound, status)
	assert.NotContains(t, body, "ERROR_MESSAGE")
	assert.JSONEq(t, `{"message":"Model not found"}`, body)
	status, _ = e.call(http.MethodDelete, "/_sandbox/faults", "", "")
	require.Equal(t, http.StatusNoContent, status)
	status, body = e.call(http.MethodGet, "/api/2fa/authentications/bf4381c8-9d4a-4705-bd28-f89a830b7f96", "", e.token)
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, `{"errors":[{"message":"Authentication not found"}]}`, body, "the fault is gone")

	// A dropped connection: the client sees a transport error, not an answer.
	status, body = e.call(http.MethodPost, "/_sandbox/faults", `{"operation":"login","drop":true}`, "")
	require.Equal(t, http.StatusCreated, status, body)
	resp, err = http.Post(e.url+"/api/auth/login", "application/json", strings.NewReader(`{"api_key":"k"}`))
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	e.login()

	// A delay answers normally afterwards; a timer never fires early.
	require.NoError(t, e.srv.InjectFault(sandbox.Fault{Operation: "listTemplates", Delay: 50 * time.Millisecond}))
	start := time.Now()
	status, body = e.call(http.MethodGet, "/api/2fa/authentications/templates", "", e.token)
	assert.Equal(t, http.StatusOK, status, body)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	// Faults the document cannot back are refused, over HTTP and from Go.
	for _, bad := range []string{
		`{"operation":"nope","status":503}`,
		`{"operation":"sendOtp","status":418}`,
		`{"operation":"sendOtp","status":200}`,
		`{"operation":"sendOtp"}`,
		`{"operation":"sendOtp","status":503,"drop":true}`,
		`{"operation":"sendOtp","delay_ms":3600000}`,
		`{"operation":"sendOtp","status":404,"example":"nope"}`,
		`{"operation":"sendOtp","colour":"red"}`,
	} {
		status, body = e.call(http.MethodPost, "/_sandbox/faults", bad, "")
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%s: %s", bad, body)
	}
	err = e.srv.InjectFault(sandbox.Fault{Operation: "refreshToken", Status: 402})
	assert.True(t, errors.Is(err, sandbox.ErrInvalidFault), "%v", err)
	require.NoError(t, e.srv.InjectFault(sandbox.Fault{Operation: "refreshToken", Status: 429}))
	status, body = e.call(http.MethodPost, "/api/auth/refresh", "", e.token)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.JSONEq(t, `{"message":"Too many duplicate request detected"}`, body)
}

func TestHookReset(t *testing.T) {
	e := newHookEnv(t, sandbox.WithApprovedTemplate(5, "Seeded", "Seeded {code2fa}"))
	id := e.send("380501234567")
	status, body := e.call(http.MethodPost, "/api/2fa/authentications/templates", `{"name":"Mine","text":"Mine {code2fa}","countries":["UA"]}`, e.token)
	require.Equal(t, http.StatusOK, status, body)
	require.NoError(t, e.srv.InjectFault(sandbox.Fault{Operation: "sendOtp", Status: 500, Times: -1}))

	status, _ = e.call(http.MethodPost, "/_sandbox/reset", "", "")
	require.Equal(t, http.StatusNoContent, status)

	status, body = e.call(http.MethodGet, "/api/2fa/authentications/templates", "", e.token)
	assert.Equal(t, http.StatusUnauthorized, status, "bearers issued before the reset are refused: %s", body)
	e.token = e.login()
	status, body = e.call(http.MethodGet, "/api/2fa/authentications/"+id, "", e.token)
	assert.Equal(t, http.StatusNotFound, status, body)
	status, body = e.call(http.MethodGet, "/api/2fa/authentications/templates", "", e.token)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"template_id":1`)
	assert.Contains(t, body, `"template_id":5`)
	assert.NotContains(t, body, "Mine")
	assert.Empty(t, e.srv.Messages())
	_, _, ok := e.srv.CodeFor("380501234567")
	assert.False(t, ok)
	e.send("380501234567") // the fault is gone

	e.srv.Reset()
	status, _ = e.call(http.MethodGet, "/api/2fa/authentications/templates", "", e.token)
	assert.Equal(t, http.StatusUnauthorized, status)
}

// TestHookOutboxTextWithLiteralPlaceholder: a template that writes "{code}" itself still gets
// the code where {code2fa} stood.
func TestHookOutboxTextWithLiteralPlaceholder(t *testing.T) {
	e := newHookEnv(t, sandbox.WithApprovedTemplate(9, "Literal", "{code} is {code2fa}"))
	body := strings.Replace(sendBody("380501234567", 300, 3, 6), `"template_id":"1"`, `"template_id":"9"`, 1)
	status, out := e.call(http.MethodPost, "/api/2fa/authentications/otp", body, e.token)
	require.Equal(t, http.StatusCreated, status, out)
	code, _, ok := e.srv.CodeFor("380501234567")
	require.True(t, ok)
	assert.Equal(t, "{code} is "+code, e.srv.Messages()[0].Text)
}
