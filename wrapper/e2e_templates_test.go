package wrapper_test

// End-to-end tests: the wrapper against the sandbox, two independent readings of the spec,
// over loopback HTTP. Every operation and every state transition of a session and of a
// template is driven through the public API, with the sandbox's clock moved by hand so that
// expiry, delivery and token lifetimes need no sleeping.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

const (
	e2eKey       = "e2e-api-key"
	e2eUA        = "380671234567" // Ukraine
	e2eAuthsPath = "/api/2fa/authentications"
	e2eTmplPath  = "/api/2fa/authentications/templates"
	e2eLogin     = "POST /api/auth/login"
	e2eRefresh   = "POST /api/auth/refresh"
	e2eMsgPrice  = "0.0642918" // the sandbox's default message price
	e2eUnknownID = "00000000-0000-4000-8000-000000000000"
)

// e2eStart is where every sandbox clock starts.
var e2eStart = time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)

// e2eEnv is one sandbox behind an httptest server, a client logged in with e2eKey, and the
// counts of the requests the sandbox received ("METHOD /path") and of the statuses it sent.
type e2eEnv struct {
	t     *testing.T
	clock *testkit.Clock
	sb    *sandbox.Server
	srv   *httptest.Server
	c     *wrapper.Client

	mu       sync.Mutex
	hits     map[string]int
	statuses map[int]int
}

// newE2E starts a sandbox with a fake clock, a seeded random source (so codes and ids are
// the same on every run) and opts, and a client for it.
func newE2E(t *testing.T, opts ...sandbox.Option) *e2eEnv {
	t.Helper()
	e := &e2eEnv{t: t, clock: testkit.NewClockAt(e2eStart), hits: map[string]int{}, statuses: map[int]int{}}
	base := []sandbox.Option{
		sandbox.WithClock(e.clock.Now),
		sandbox.WithRand(rand.NewChaCha8([32]byte{'e', '2', 'e'})),
	}
	e.sb = sandbox.New(append(base, opts...)...)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &e2eRecorder{ResponseWriter: w, status: http.StatusOK}
		e.sb.ServeHTTP(rec, r)
		e.mu.Lock()
		e.hits[r.Method+" "+r.URL.Path]++
		e.statuses[rec.status]++
		e.mu.Unlock()
	}))
	t.Cleanup(e.srv.Close)
	e.c = e.client(e2eKey)
	return e
}

type e2eRecorder struct {
	http.ResponseWriter
	status int
}

func (r *e2eRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// client makes another client of the same sandbox, whose answers are checked against
// api/bsg-2fa.yaml, so that each scenario here is also a check of the sandbox's shapes and
// status codes, unless opts bring an http.Client of their own.
func (e *e2eEnv) client(key string, opts ...wrapper.Option) *wrapper.Client {
	e.t.Helper()
	hc := &http.Client{Transport: testkit.NewSpecTransport(e.t, e.srv.Client().Transport)}
	base := []wrapper.Option{wrapper.WithBaseURL(e.srv.URL), wrapper.WithHTTPClient(hc)}
	c, err := wrapper.New(key, append(base, opts...)...)
	require.NoError(e.t, err)
	return c
}

func (e *e2eEnv) hitsOf(key string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hits[key]
}

func (e *e2eEnv) statusCount(code int) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.statuses[code]
}

// send opens a session that must succeed.
func (e *e2eEnv) send(req wrapper.SendOTPRequest) *wrapper.Authentication {
	e.t.Helper()
	a, err := e.c.SendOTP(context.Background(), req)
	require.NoError(e.t, err)
	return a
}

// code is the code the sandbox sent last for id.
func (e *e2eEnv) code(id string) string {
	e.t.Helper()
	code, ok := e.sb.LastCode(id)
	require.True(e.t, ok, "no code for %s", id)
	return code
}

func (e *e2eEnv) get(id string) *wrapper.Authentication {
	e.t.Helper()
	a, err := e.c.GetAuthentication(context.Background(), id)
	require.NoError(e.t, err)
	return a
}

// verify, cancel and fail move a pending session to a final state.
func (e *e2eEnv) verify(id string) {
	e.t.Helper()
	_, err := e.c.VerifyOTP(context.Background(), id, e.code(id))
	require.NoError(e.t, err)
}

func (e *e2eEnv) cancel(id string) {
	e.t.Helper()
	_, err := e.c.CancelOTP(context.Background(), id)
	require.NoError(e.t, err)
}

func (e *e2eEnv) fail(id string) {
	e.t.Helper()
	for {
		_, err := e.c.VerifyOTP(context.Background(), id, e2eWrong(e.code(id)))
		if errors.Is(err, wrapper.ErrAttemptsExceeded) {
			return
		}
		require.ErrorIs(e.t, err, wrapper.ErrWrongCode)
	}
}

// expire lets a session of the default 5-minute lifetime run out.
func (e *e2eEnv) expire(string) { e.clock.Advance(5*time.Minute + time.Second) }

// raw sends a plain HTTP request, with a bearer from a plain login when bearer is set.
func (e *e2eEnv) raw(method, path, body string, bearer bool) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	if bearer {
		_, tok := e.raw(http.MethodPost, "/api/auth/login", `{"api_key":"`+e2eKey+`"}`, false)
		var login struct{ Bearer string }
		require.NoError(e.t, json.Unmarshal([]byte(tok), &login))
		req.Header.Set("Authorization", "Bearer "+login.Bearer)
	}
	resp, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp.StatusCode, string(b)
}

func e2eSMS(recipient string) wrapper.SendOTPRequest {
	return wrapper.SendOTPRequest{Recipient: recipient, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: 1}
}

// e2eWrong is a code of the same length that differs from code.
func e2eWrong(code string) string {
	b := []byte(code)
	b[len(b)-1] = '0' + (b[len(b)-1]-'0'+1)%10
	return string(b)
}

// e2eRequireErr checks that err matches want and carries the HTTP status the service sent.
func e2eRequireErr(t *testing.T, err error, want error, status int) {
	t.Helper()
	require.ErrorIs(t, err, want)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, status, apiErr.StatusCode)
}

func e2eSameTime(t *testing.T, want, got time.Time, field string) {
	t.Helper()
	assert.True(t, want.Equal(got), "%s: want %s, got %s", field, want, got)
}

func e2eIDs(as []wrapper.Authentication) []string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return ids
}

func e2eTemplateIDs(ts []wrapper.Template) []int {
	ids := make([]int, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

func TestE2EAuth(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		opts []sandbox.Option
		run  func(t *testing.T, e *e2eEnv)
	}{
		{"the first call logs in once and the bearer is reused", nil, func(t *testing.T, e *e2eEnv) {
			for range 3 {
				_, err := e.c.GetTemplate(ctx, 1)
				require.NoError(t, err)
			}
			assert.Equal(t, 1, e.hitsOf(e2eLogin))
		}},
		{"concurrent first calls log in once", nil, func(t *testing.T, e *e2eEnv) {
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Go(func() {
					_, err := e.c.GetTemplate(ctx, 1)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			assert.Equal(t, 1, e.hitsOf(e2eLogin))
		}},
		{"a wrong key is unauthorized and tried once", []sandbox.Option{sandbox.WithAPIKey("the-right-key")}, func(t *testing.T, e *e2eEnv) {
			_, err := e.c.SendOTP(ctx, e2eSMS(e2eUA))
			e2eRequireErr(t, err, wrapper.ErrUnauthorized, http.StatusUnauthorized)
			assert.Equal(t, 1, e.hitsOf(e2eLogin))
			assert.Zero(t, e.hitsOf("POST "+e2eAuthsPath+"/otp"), "nothing is sent without a bearer")

			right := e.client("the-right-key")
			_, err = right.SendOTP(ctx, e2eSMS(e2eUA))
			require.NoError(t, err)
		}},
		{"a bearer expired by the sandbox clock is replaced after the 401", []sandbox.Option{sandbox.WithTokenTTL(time.Minute)}, func(t *testing.T, e *e2eEnv) {
			a := e.send(e2eSMS(e2eUA))
			e.clock.Advance(2 * time.Minute) // the client's own clock has not moved
			got, err := e.c.GetAuthentication(ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, wrapper.StatusPending, got.Status)
			assert.Equal(t, 2, e.hitsOf(e2eLogin))
			assert.Equal(t, 1, e.statusCount(http.StatusUnauthorized))
			e.verify(a.ID)
			assert.Equal(t, 2, e.hitsOf(e2eLogin), "the new bearer is kept")
		}},
		{"concurrent calls refused with one expired bearer log in once more", []sandbox.Option{sandbox.WithTokenTTL(time.Minute)}, func(t *testing.T, e *e2eEnv) {
			a := e.send(e2eSMS(e2eUA))
			e.clock.Advance(2 * time.Minute)
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Go(func() {
					_, err := e.c.GetAuthentication(ctx, a.ID)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			assert.Equal(t, 2, e.hitsOf(e2eLogin))
		}},
		{"a bearer due by the client clock is refreshed before it expires", []sandbox.Option{sandbox.WithTokenTTL(time.Minute)}, func(t *testing.T, e *e2eEnv) {
			wrapper.SetClockForTest(e.c, e.clock.Now)
			a := e.send(e2eSMS(e2eUA))
			for range 3 {
				e.clock.Advance(50 * time.Second)
				_, err := e.c.GetAuthentication(ctx, a.ID)
				require.NoError(t, err)
			}
			assert.Equal(t, 1, e.hitsOf(e2eLogin))
			assert.Equal(t, 3, e.hitsOf(e2eRefresh))
			assert.Zero(t, e.statusCount(http.StatusUnauthorized))
		}},
		{"a bearer expired by both clocks is replaced by a login without a 401", []sandbox.Option{sandbox.WithTokenTTL(time.Minute)}, func(t *testing.T, e *e2eEnv) {
			wrapper.SetClockForTest(e.c, e.clock.Now)
			a := e.send(e2eSMS(e2eUA))
			e.clock.Advance(2 * time.Minute)
			_, err := e.c.GetAuthentication(ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, 2, e.hitsOf(e2eLogin))
			assert.Zero(t, e.hitsOf(e2eRefresh))
			assert.Zero(t, e.statusCount(http.StatusUnauthorized))
		}},
		{"a bearer from elsewhere is used without a login until it expires", []sandbox.Option{sandbox.WithTokenTTL(time.Minute)}, func(t *testing.T, e *e2eEnv) {
			_, body := e.raw(http.MethodPost, "/api/auth/login", `{"api_key":"elsewhere"}`, false)
			var login struct{ Bearer string }
			require.NoError(t, json.Unmarshal([]byte(body), &login))
			before := e.hitsOf(e2eLogin)

			tokenOnly := e.client("", wrapper.WithToken(login.Bearer))
			a, err := tokenOnly.SendOTP(ctx, e2eSMS(e2eUA))
			require.NoError(t, err)
			assert.Equal(t, before, e.hitsOf(e2eLogin))

			withKey := e.client(e2eKey, wrapper.WithToken(login.Bearer))
			e.clock.Advance(2 * time.Minute)
			_, err = tokenOnly.GetAuthentication(ctx, a.ID)
			e2eRequireErr(t, err, wrapper.ErrUnauthorized, http.StatusUnauthorized)
			_, err = withKey.GetAuthentication(ctx, a.ID)
			require.NoError(t, err, "with a key as well, an expired bearer is replaced by a login")
			assert.Equal(t, before+1, e.hitsOf(e2eLogin))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newE2E(t, tt.opts...))
		})
	}
}

func TestE2ESend(t *testing.T) {
	tests := []struct {
		name    string
		req     wrapper.SendOTPRequest
		country string
		// what the request's zero values default to
		lifetime         time.Duration
		maxTries, digits int
	}{
		{"sms to Ukraine, defaults", e2eSMS("+380 (67) 123-45-67"), "UA", 5 * time.Minute, 3, 6},
		{"sms to France", e2eSMS("+33 6 12 34 56 78"), "FR", 5 * time.Minute, 3, 6},
		{"sms to Portugal", e2eSMS("351912345678"), "PT", 5 * time.Minute, 3, 6},
		{"sms to Italy", e2eSMS("393123456789"), "IT", 5 * time.Minute, 3, 6},
		{"sms to Australia", e2eSMS("61412345678"), "AU", 5 * time.Minute, 3, 6},
		{"sms to the United Kingdom", e2eSMS("447911123456"), "GB", 5 * time.Minute, 3, 6},
		{"sms to the United States", e2eSMS("+1 (202) 555-0143"), "US", 5 * time.Minute, 3, 6},
		{"sms to Germany", e2eSMS("4915112345678"), "DE", 5 * time.Minute, 3, 6},
		{"sms to Poland", e2eSMS("48512345678"), "PL", 5 * time.Minute, 3, 6},
		{
			"viber with an SMS fallback sender, channel in capitals",
			wrapper.SendOTPRequest{
				Recipient: "+380671234567", Channel: "VIBER", Sender: "BSG Viber", SenderAlt: "BSG SMS",
				TemplateID: 1, CodeLifetime: 30 * time.Second, CodeMaxTries: 5, CodeDigits: 9,
			},
			"UA", 30 * time.Second, 5, 9,
		},
		{
			"short code, one try",
			wrapper.SendOTPRequest{
				Recipient: "33612345678", Channel: "Sms", Sender: "12345", TemplateID: 1,
				CodeLifetime: 300 * time.Second, CodeMaxTries: 1, CodeDigits: 3,
			},
			"FR", 300 * time.Second, 1, 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			a := e.send(tt.req)
			want, err := wrapper.NormalizeRecipient(tt.req.Recipient)
			require.NoError(t, err)

			assert.Len(t, a.ID, 36)
			assert.Equal(t, want, a.Recipient)
			assert.Equal(t, wrapper.StatusPending, a.Status)
			assert.False(t, a.Status.Final())
			wantChannel := wrapper.ChannelSMS
			if tt.req.SenderAlt != "" {
				wantChannel = wrapper.ChannelViber
			}
			assert.Equal(t, wantChannel, a.Channel)
			assert.Equal(t, tt.req.Sender, a.Sender)
			assert.Equal(t, tt.req.SenderAlt, a.SenderAlt)
			assert.Equal(t, "Your code is {code}", a.MessageText)
			assert.Equal(t, tt.lifetime, a.CodeLifetime)
			assert.Equal(t, tt.maxTries, a.CodeMaxTries)
			assert.Equal(t, tt.digits, a.CodeDigits)
			assert.Equal(t, "0", a.Price.String())
			assert.True(t, a.Price.IsZero())
			assert.Equal(t, "USD", a.Currency)
			assert.Equal(t, tt.country, a.CountryCode)
			e2eSameTime(t, e2eStart, a.CreatedAt, "CreatedAt")
			e2eSameTime(t, e2eStart, a.UpdatedAt, "UpdatedAt")
			e2eSameTime(t, e2eStart.Add(tt.lifetime), a.ExpiredAt, "ExpiredAt")
			assert.True(t, a.FinishedAt.IsZero(), "FinishedAt is zero while pending")

			code := e.code(a.ID)
			assert.Len(t, code, tt.digits)
			assert.Empty(t, strings.Trim(code, "0123456789"), "digits only")

			got := e.get(a.ID)
			require.Len(t, got.Messages, 1)
			assert.Equal(t, wantChannel, got.Messages[0].Channel)
			assert.Equal(t, want, got.Messages[0].Recipient)
		})
	}
}

func TestE2ESendErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		opts   []sandbox.Option
		before func(t *testing.T, e *e2eEnv) // sessions and templates the case needs
		req    wrapper.SendOTPRequest
		want   error
		status int
	}{
		{
			name:   "unknown template",
			req:    wrapper.SendOTPRequest{Recipient: e2eUA, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: 999},
			want:   wrapper.ErrTemplateNotFound,
			status: http.StatusNotFound,
		},
		{
			name: "template requested, not approved",
			before: func(t *testing.T, e *e2eEnv) {
				tmpl, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: "Pending", Text: "Code {code2fa}", Countries: []string{"UA"}})
				require.NoError(t, err)
				require.Equal(t, 2, tmpl.ID)
			},
			req:    wrapper.SendOTPRequest{Recipient: e2eUA, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: 2},
			want:   wrapper.ErrTemplateNotApproved,
			status: http.StatusUnprocessableEntity,
		},
		{
			name: "template rejected",
			before: func(t *testing.T, e *e2eEnv) {
				_, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: "Refused", Text: "Code {code2fa}", Countries: []string{"UA"}})
				require.NoError(t, err)
				require.NoError(t, e.sb.RejectTemplate(2))
			},
			req:    wrapper.SendOTPRequest{Recipient: e2eUA, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: 2},
			want:   wrapper.ErrTemplateNotApproved,
			status: http.StatusUnprocessableEntity,
		},
		{
			name:   "country not among the template's",
			opts:   []sandbox.Option{sandbox.WithApprovedTemplate(7, "France", "Votre code {code2fa}", "FR")},
			req:    wrapper.SendOTPRequest{Recipient: e2eUA, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: 7},
			want:   wrapper.ErrTemplateNotAvailable,
			status: http.StatusUnprocessableEntity,
		},
		{
			name:   "recipient on the stop list",
			opts:   []sandbox.Option{sandbox.WithStopList("+" + e2eUA)},
			req:    e2eSMS("+380 67 123 45 67"),
			want:   wrapper.ErrStopList,
			status: http.StatusUnprocessableEntity,
		},
		{
			name:   "pending limit",
			opts:   []sandbox.Option{sandbox.WithPendingLimit(2)},
			before: func(_ *testing.T, e *e2eEnv) { e.send(e2eSMS(e2eUA)); e.send(e2eSMS("33612345678")) },
			req:    e2eSMS("447911123456"),
			want:   wrapper.ErrPendingLimit,
			status: http.StatusUnprocessableEntity,
		},
		{
			name:   "total limit",
			opts:   []sandbox.Option{sandbox.WithTotalLimit(1)},
			before: func(_ *testing.T, e *e2eEnv) { e.verify(e.send(e2eSMS(e2eUA)).ID) },
			req:    e2eSMS(e2eUA),
			want:   wrapper.ErrTotalLimit,
			status: http.StatusUnprocessableEntity,
		},
		{
			name:   "balance exhausted",
			opts:   []sandbox.Option{sandbox.WithBalance("0.1")}, // one message of 0.0642918
			before: func(_ *testing.T, e *e2eEnv) { e.send(e2eSMS(e2eUA)) },
			req:    e2eSMS(e2eUA),
			want:   wrapper.ErrInsufficientFunds,
			status: http.StatusPaymentRequired,
		},
		{
			name:   "zero balance",
			opts:   []sandbox.Option{sandbox.WithBalance("0")},
			req:    e2eSMS(e2eUA),
			want:   wrapper.ErrInsufficientFunds,
			status: http.StatusPaymentRequired,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, tt.opts...)
			if tt.before != nil {
				tt.before(t, e)
			}
			a, err := e.c.SendOTP(ctx, tt.req)
			e2eRequireErr(t, err, tt.want, tt.status)
			assert.Nil(t, a)
		})
	}
}

// TestE2ESendPendingLimitFreed shows that a finished session no longer counts as pending.
func TestE2ESendPendingLimitFreed(t *testing.T) {
	tests := []struct {
		name   string
		finish func(e *e2eEnv, id string)
	}{
		{"verified", (*e2eEnv).verify},
		{"canceled", (*e2eEnv).cancel},
		{"failed", (*e2eEnv).fail},
		{"expired", (*e2eEnv).expire},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, sandbox.WithPendingLimit(1))
			a := e.send(e2eSMS(e2eUA))
			_, err := e.c.SendOTP(context.Background(), e2eSMS(e2eUA))
			e2eRequireErr(t, err, wrapper.ErrPendingLimit, http.StatusUnprocessableEntity)
			tt.finish(e, a.ID)
			e.send(e2eSMS(e2eUA))
		})
	}
}

func TestE2ERateLimited(t *testing.T) {
	e := newE2E(t, sandbox.WithRateLimit(2))
	c := e.client(e2eKey, wrapper.WithMaxRetries(0))
	ctx := context.Background()
	_, err := c.GetTemplate(ctx, 1) // the login and this call take both tokens
	require.NoError(t, err)
	_, err = c.GetTemplate(ctx, 1)
	e2eRequireErr(t, err, wrapper.ErrRateLimited, http.StatusTooManyRequests)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, time.Second, apiErr.RetryAfter)

	e.clock.Advance(time.Second)
	_, err = c.GetTemplate(ctx, 1)
	require.NoError(t, err)
}

func TestE2EVerify(t *testing.T) {
	ctx := context.Background()
	right := func(e *e2eEnv, id string) string { return e.code(id) }
	wrong := func(e *e2eEnv, id string) string { return e2eWrong(e.code(id)) }
	wrongTimes := func(n int) func(*e2eEnv, string) {
		return func(e *e2eEnv, id string) {
			for range n {
				_, err := e.c.VerifyOTP(ctx, id, wrong(e, id))
				require.ErrorIs(e.t, err, wrapper.ErrWrongCode)
			}
		}
	}
	tests := []struct {
		name      string
		opts      []sandbox.Option
		maxTries  int
		before    func(e *e2eEnv, id string)
		code      func(e *e2eEnv, id string) string
		want      error // nil: verified
		status    int
		state     wrapper.Status
		price     string
		finishes  bool
		finishAt  time.Duration // from e2eStart, when finishes
		lifetime  time.Duration
		afterWant error // a further right code, once finished
	}{
		{name: "right code", code: right, state: wrapper.StatusVerified, price: "0.02", finishes: true,
			afterWant: wrapper.ErrAuthenticationInvalidStatus},
		{name: "right code at a custom price", opts: []sandbox.Option{sandbox.WithPrice("1,5")}, code: right,
			state: wrapper.StatusVerified, price: "1.5", finishes: true},
		{name: "right code after wrong ones", before: wrongTimes(2), code: right,
			state: wrapper.StatusVerified, price: "0.02", finishes: true},
		{name: "first wrong code", code: wrong, want: wrapper.ErrWrongCode, status: http.StatusNotFound,
			state: wrapper.StatusPending, price: "0"},
		{name: "second wrong code of three", before: wrongTimes(1), code: wrong, want: wrapper.ErrWrongCode,
			status: http.StatusNotFound, state: wrapper.StatusPending, price: "0"},
		{name: "third wrong code of three fails the session", before: wrongTimes(2), code: wrong,
			want: wrapper.ErrAttemptsExceeded, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusFailed, price: "0", finishes: true, afterWant: wrapper.ErrAuthenticationFailed},
		{name: "the only try wrong", maxTries: 1, code: wrong, want: wrapper.ErrAttemptsExceeded,
			status: http.StatusUnprocessableEntity, state: wrapper.StatusFailed, price: "0", finishes: true},
		{name: "fifth wrong code of five", maxTries: 5, before: wrongTimes(4), code: wrong,
			want: wrapper.ErrAttemptsExceeded, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusFailed, price: "0", finishes: true},
		{name: "right code after the lifetime", lifetime: 30 * time.Second,
			before: func(e *e2eEnv, _ string) { e.clock.Advance(31 * time.Second) },
			code:   right, want: wrapper.ErrCodeExpired, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusExpired, price: "0", finishes: true, finishAt: 30 * time.Second,
			afterWant: wrapper.ErrCodeExpired},
		{name: "right code at the last second of the lifetime", lifetime: 30 * time.Second,
			before: func(e *e2eEnv, _ string) { e.clock.Advance(29 * time.Second) },
			code:   right, state: wrapper.StatusVerified, price: "0.02", finishes: true, finishAt: 29 * time.Second},
		{name: "on a verified session", before: (*e2eEnv).verify, code: right,
			want: wrapper.ErrAuthenticationInvalidStatus, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusVerified, price: "0.02", finishes: true},
		{name: "on a canceled session", before: (*e2eEnv).cancel, code: right,
			want: wrapper.ErrAuthenticationCanceled, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusCanceled, price: "0", finishes: true},
		{name: "on a failed session", before: (*e2eEnv).fail, code: right,
			want: wrapper.ErrAuthenticationFailed, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusFailed, price: "0", finishes: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, tt.opts...)
			req := e2eSMS(e2eUA)
			req.CodeMaxTries, req.CodeLifetime = tt.maxTries, tt.lifetime
			a := e.send(req)
			if tt.before != nil {
				tt.before(e, a.ID)
			}
			got, err := e.c.VerifyOTP(ctx, a.ID, tt.code(e, a.ID))
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.state, got.Status)
				assert.Equal(t, tt.price, got.Price.String())
				e2eSameTime(t, e2eStart.Add(tt.finishAt), got.FinishedAt, "FinishedAt")
			} else {
				e2eRequireErr(t, err, tt.want, tt.status)
				assert.Nil(t, got)
			}

			now := e.get(a.ID)
			assert.Equal(t, tt.state, now.Status)
			assert.Equal(t, tt.finishes, now.Status.Final())
			assert.Equal(t, tt.price, now.Price.String())
			if tt.finishes {
				e2eSameTime(t, e2eStart.Add(tt.finishAt), now.FinishedAt, "FinishedAt")
				e2eSameTime(t, now.FinishedAt, now.UpdatedAt, "UpdatedAt")
			} else {
				assert.True(t, now.FinishedAt.IsZero(), "FinishedAt is zero while pending")
			}
			if tt.afterWant != nil {
				_, err := e.c.VerifyOTP(ctx, a.ID, e.code(a.ID))
				e2eRequireErr(t, err, tt.afterWant, http.StatusUnprocessableEntity)
			}
		})
	}
}

func TestE2EResend(t *testing.T) {
	ctx := context.Background()
	t.Run("pending: a new code, a new message, a new lifetime", func(t *testing.T) {
		e := newE2E(t)
		req := e2eSMS(e2eUA)
		req.CodeLifetime = 60 * time.Second
		a := e.send(req)
		old := e.code(a.ID)

		e.clock.Advance(40 * time.Second)
		r, err := e.c.ResendOTP(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a.ID, r.ID)
		assert.Equal(t, wrapper.StatusPending, r.Status)
		assert.Equal(t, "0", r.Price.String())
		assert.True(t, r.FinishedAt.IsZero())
		e2eSameTime(t, e2eStart.Add(100*time.Second), r.ExpiredAt, "ExpiredAt")
		fresh := e.code(a.ID)
		require.NotEqual(t, old, fresh)
		assert.Len(t, fresh, 6)

		// Past the first code's lifetime, within the second's.
		e.clock.Advance(40 * time.Second)
		_, err = e.c.VerifyOTP(ctx, a.ID, old)
		e2eRequireErr(t, err, wrapper.ErrWrongCode, http.StatusNotFound)
		v, err := e.c.VerifyOTP(ctx, a.ID, fresh)
		require.NoError(t, err)
		assert.Equal(t, wrapper.StatusVerified, v.Status)
		assert.Equal(t, "0.02", v.Price.String())

		got := e.get(a.ID)
		require.Len(t, got.Messages, 2)
		assert.NotEqual(t, got.Messages[0].ID, got.Messages[1].ID)
		e2eSameTime(t, e2eStart, got.Messages[0].CreatedAt, "first message")
		e2eSameTime(t, e2eStart.Add(40*time.Second), got.Messages[1].CreatedAt, "second message")
		for _, m := range got.Messages {
			assert.Equal(t, e2eMsgPrice, m.Price.String())
		}
	})
	t.Run("wrong attempts still count after a resend", func(t *testing.T) {
		e := newE2E(t)
		req := e2eSMS(e2eUA)
		req.CodeMaxTries = 2
		a := e.send(req)
		_, err := e.c.VerifyOTP(ctx, a.ID, e2eWrong(e.code(a.ID)))
		e2eRequireErr(t, err, wrapper.ErrWrongCode, http.StatusNotFound)
		_, err = e.c.ResendOTP(ctx, a.ID)
		require.NoError(t, err)
		_, err = e.c.VerifyOTP(ctx, a.ID, e2eWrong(e.code(a.ID)))
		e2eRequireErr(t, err, wrapper.ErrAttemptsExceeded, http.StatusUnprocessableEntity)
		assert.Equal(t, wrapper.StatusFailed, e.get(a.ID).Status)
	})

	tests := []struct {
		name   string
		opts   []sandbox.Option
		before func(e *e2eEnv, id string)
		want   error
		status int
	}{
		{"canceled", nil, (*e2eEnv).cancel, wrapper.ErrAuthenticationCanceled, http.StatusUnprocessableEntity},
		{"failed", nil, (*e2eEnv).fail, wrapper.ErrAuthenticationFailed, http.StatusUnprocessableEntity},
		{"expired", nil, (*e2eEnv).expire, wrapper.ErrAuthenticationExpired, http.StatusUnprocessableEntity},
		{"verified", nil, (*e2eEnv).verify, wrapper.ErrAuthenticationInvalidStatus, http.StatusUnprocessableEntity},
		{"balance exhausted", []sandbox.Option{sandbox.WithBalance("0.1")}, nil, wrapper.ErrInsufficientFunds, http.StatusPaymentRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, tt.opts...)
			a := e.send(e2eSMS(e2eUA))
			code := e.code(a.ID)
			if tt.before != nil {
				tt.before(e, a.ID)
			}
			r, err := e.c.ResendOTP(ctx, a.ID)
			e2eRequireErr(t, err, tt.want, tt.status)
			assert.Nil(t, r)
			assert.Equal(t, code, e.code(a.ID), "a refused resend sends no code")
			assert.Len(t, e.get(a.ID).Messages, 1)
		})
	}
}

func TestE2ECancel(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		before func(e *e2eEnv, id string)
		want   error
		state  wrapper.Status
		price  string
	}{
		{"pending", nil, nil, wrapper.StatusCanceled, "0"},
		{"pending after a wrong code", func(e *e2eEnv, id string) {
			_, err := e.c.VerifyOTP(ctx, id, e2eWrong(e.code(id)))
			require.ErrorIs(e.t, err, wrapper.ErrWrongCode)
		}, nil, wrapper.StatusCanceled, "0"},
		{"canceled", (*e2eEnv).cancel, wrapper.ErrAuthenticationCanceled, wrapper.StatusCanceled, "0"},
		{"verified", (*e2eEnv).verify, wrapper.ErrAuthenticationInvalidStatus, wrapper.StatusVerified, "0.02"},
		{"failed", (*e2eEnv).fail, wrapper.ErrAuthenticationFailed, wrapper.StatusFailed, "0"},
		{"expired", (*e2eEnv).expire, wrapper.ErrAuthenticationExpired, wrapper.StatusExpired, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			a := e.send(e2eSMS(e2eUA))
			if tt.before != nil {
				tt.before(e, a.ID)
			}
			e.clock.Advance(time.Second)
			got, err := e.c.CancelOTP(ctx, a.ID)
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, wrapper.StatusCanceled, got.Status)
				assert.Equal(t, "0", got.Price.String())
				e2eSameTime(t, e2eStart.Add(time.Second), got.FinishedAt, "FinishedAt")
			} else {
				e2eRequireErr(t, err, tt.want, http.StatusUnprocessableEntity)
				assert.Nil(t, got)
			}
			now := e.get(a.ID)
			assert.Equal(t, tt.state, now.Status)
			assert.Equal(t, tt.price, now.Price.String())
			assert.False(t, now.FinishedAt.IsZero())
		})
	}
}

func TestE2EUnknownAuthentication(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t)
	e.send(e2eSMS(e2eUA)) // the sandbox holds a session, just not this one
	tests := []struct {
		name string
		call func(id string) (*wrapper.Authentication, error)
	}{
		{"status", func(id string) (*wrapper.Authentication, error) { return e.c.GetAuthentication(ctx, id) }},
		{"resend", func(id string) (*wrapper.Authentication, error) { return e.c.ResendOTP(ctx, id) }},
		{"verify", func(id string) (*wrapper.Authentication, error) { return e.c.VerifyOTP(ctx, id, "123456") }},
		{"cancel", func(id string) (*wrapper.Authentication, error) { return e.c.CancelOTP(ctx, id) }},
	}
	for _, tt := range tests {
		for _, id := range []string{e2eUnknownID, "not-a-uuid", "a b/c?d"} {
			t.Run(tt.name+" "+id, func(t *testing.T) {
				a, err := tt.call(id)
				e2eRequireErr(t, err, wrapper.ErrAuthenticationNotFound, http.StatusNotFound)
				assert.NotErrorIs(t, err, wrapper.ErrWrongCode)
				assert.Nil(t, a)
			})
		}
	}
}

// TestE2ERetention shows finished sessions leaving the sandbox: after the retention period and
// beyond the maximum count (oldest first); pending ones stay.
func TestE2ERetention(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		opts    []sandbox.Option
		advance time.Duration
		gone    []bool // per session A (verified first), B (canceled next), C (pending)
	}{
		{"within the retention", []sandbox.Option{sandbox.WithRetention(time.Hour)}, time.Hour - time.Second, []bool{false, false, false}},
		{"past the retention of the first", []sandbox.Option{sandbox.WithRetention(time.Hour)}, time.Hour, []bool{true, false, false}},
		{"past the retention of both", []sandbox.Option{sandbox.WithRetention(time.Hour)}, time.Hour + time.Second, []bool{true, true, false}},
		{"beyond the maximum count", []sandbox.Option{sandbox.WithMaxSessions(1)}, 0, []bool{true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, tt.opts...)
			ids := make([]string, 3)
			for i := range ids {
				ids[i] = e.send(e2eSMS(e2eUA)).ID
			}
			e.verify(ids[0])
			e.clock.Advance(time.Second)
			e.cancel(ids[1])
			e.clock.Advance(tt.advance - time.Second)
			for i, id := range ids {
				_, err := e.c.GetAuthentication(ctx, id)
				_, kept := e.sb.LastCode(id)
				if tt.gone[i] {
					e2eRequireErr(t, err, wrapper.ErrAuthenticationNotFound, http.StatusNotFound)
					assert.False(t, kept, i)
				} else {
					assert.NoError(t, err, i)
					assert.True(t, kept, i)
				}
			}
		})
	}
}

func TestE2EMessages(t *testing.T) {
	tests := []struct {
		name    string
		opts    []sandbox.Option
		req     wrapper.SendOTPRequest
		delay   time.Duration
		price   string
		channel wrapper.Channel
	}{
		{"sms, default delivery delay", nil, e2eSMS("+44 7911 123456"), 2 * time.Second, e2eMsgPrice, wrapper.ChannelSMS},
		{
			"viber, custom delay and price",
			[]sandbox.Option{sandbox.WithDeliveryDelay(10 * time.Second), sandbox.WithMessagePrice("0,5"), sandbox.WithCurrency("eur")},
			wrapper.SendOTPRequest{Recipient: e2eUA, Channel: wrapper.ChannelViber, Sender: "BSG", SenderAlt: "BSGSMS", TemplateID: 1},
			10 * time.Second, "0.5", wrapper.ChannelViber,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, tt.opts...)
			a := e.send(tt.req)
			assert.Empty(t, a.Messages, "a send answers without messages")

			check := func(m wrapper.Message, status wrapper.MessageStatus, created time.Time) {
				t.Helper()
				assert.NotEmpty(t, m.ID)
				_, err := strconv.Atoi(m.ID)
				assert.NoError(t, err, "a numeric message id becomes its decimal string")
				assert.Equal(t, status, m.Status)
				assert.Equal(t, a.Recipient, m.Recipient)
				assert.Equal(t, tt.channel, m.Channel)
				assert.Equal(t, tt.req.Sender, m.Sender)
				assert.Equal(t, a.MessageText, m.Text)
				assert.Equal(t, tt.price, m.Price.String())
				assert.Equal(t, a.Currency, m.Currency)
				e2eSameTime(t, created, m.CreatedAt, "message CreatedAt")
				if status == wrapper.MessageDelivered {
					e2eSameTime(t, created.Add(tt.delay), m.SentAt, "message SentAt")
				} else {
					assert.True(t, m.SentAt.IsZero(), "SentAt is zero until delivered")
				}
			}

			got := e.get(a.ID)
			require.Len(t, got.Messages, 1)
			check(got.Messages[0], wrapper.MessageAccepted, e2eStart)

			e.clock.Advance(tt.delay - time.Second)
			check(e.get(a.ID).Messages[0], wrapper.MessageAccepted, e2eStart)

			e.clock.Advance(time.Second)
			_, err := e.c.ResendOTP(context.Background(), a.ID)
			require.NoError(t, err)
			got = e.get(a.ID)
			require.Len(t, got.Messages, 2)
			check(got.Messages[0], wrapper.MessageDelivered, e2eStart)
			check(got.Messages[1], wrapper.MessageAccepted, e2eStart.Add(tt.delay))

			e.verify(a.ID)
			e.clock.Advance(tt.delay)
			got = e.get(a.ID)
			assert.Equal(t, wrapper.StatusVerified, got.Status)
			require.Len(t, got.Messages, 2)
			check(got.Messages[1], wrapper.MessageDelivered, e2eStart.Add(tt.delay))
		})
	}
}

// e2eListScenario makes six sessions over three days, one in every final state and two
// pending, and returns them by name.
func e2eListScenario(t *testing.T) (*e2eEnv, map[string]*wrapper.Authentication) {
	t.Helper()
	e := newE2E(t, sandbox.WithRetention(30*24*time.Hour))
	day1 := time.Date(2024, 5, 10, 0, 0, 0, 0, time.UTC)
	s := map[string]*wrapper.Authentication{}

	e.clock.Set(day1) // first second of day 1
	s["A"] = e.send(e2eSMS(e2eUA))
	e.clock.Advance(5 * time.Second)
	e.verify(s["A"].ID)

	e.clock.Set(day1.Add(12 * time.Hour))
	s["B"] = e.send(wrapper.SendOTPRequest{Recipient: "33612345678", Channel: wrapper.ChannelViber, Sender: "BSG", TemplateID: 1})
	e.clock.Advance(5 * time.Second)
	e.cancel(s["B"].ID)

	e.clock.Set(day1.Add(24*time.Hour - time.Second)) // last second of day 1
	req := e2eSMS("447911123456")
	req.CodeMaxTries = 1
	s["C"] = e.send(req)
	e.fail(s["C"].ID)

	e.clock.Set(day1.Add(34 * time.Hour)) // day 2, 10:00
	req = wrapper.SendOTPRequest{Recipient: "4915112345678", Channel: wrapper.ChannelViber, Sender: "BSG", TemplateID: 1, CodeLifetime: 30 * time.Second}
	s["D"] = e.send(req)

	e.clock.Set(day1.Add(56 * time.Hour)) // day 3, 08:00; D has expired
	s["E"] = e.send(e2eSMS(e2eUA))
	e.clock.Advance(time.Second)
	s["F"] = e.send(wrapper.SendOTPRequest{Recipient: "48512345678", Channel: wrapper.ChannelViber, Sender: "BSG", TemplateID: 1})
	return e, s
}

func TestE2EListAuthentications(t *testing.T) {
	ctx := context.Background()
	e, s := e2eListScenario(t)
	day := func(n int) time.Time { return time.Date(2024, 5, 9+n, 0, 0, 0, 0, time.UTC) }
	all := wrapper.ListAuthenticationsRequest{From: day(1), To: day(3)}
	with := func(f func(r *wrapper.ListAuthenticationsRequest)) wrapper.ListAuthenticationsRequest {
		r := all
		f(&r)
		return r
	}
	sortedIDs := func(names ...string) []string {
		ids := make([]string, 0, len(names))
		for _, n := range names {
			ids = append(ids, s[n].ID)
		}
		slices.Sort(ids)
		return ids
	}
	// In creation order unless a case sorts otherwise.
	tests := []struct {
		name string
		req  wrapper.ListAuthenticationsRequest
		want []string // names, in the order the page holds them
	}{
		{"no filter", all, []string{"A", "B", "C", "D", "E", "F"}},
		{"ids", with(func(r *wrapper.ListAuthenticationsRequest) { r.IDs = []string{s["E"].ID, s["A"].ID} }), []string{"A", "E"}},
		{"ids with an unknown one", with(func(r *wrapper.ListAuthenticationsRequest) { r.IDs = []string{s["C"].ID, e2eUnknownID} }), []string{"C"}},
		{"status pending", with(func(r *wrapper.ListAuthenticationsRequest) { r.Status = wrapper.StatusPending }), []string{"E", "F"}},
		{"status verified", with(func(r *wrapper.ListAuthenticationsRequest) { r.Status = wrapper.StatusVerified }), []string{"A"}},
		{"status canceled", with(func(r *wrapper.ListAuthenticationsRequest) { r.Status = wrapper.StatusCanceled }), []string{"B"}},
		{"status failed", with(func(r *wrapper.ListAuthenticationsRequest) { r.Status = wrapper.StatusFailed }), []string{"C"}},
		{"status expired", with(func(r *wrapper.ListAuthenticationsRequest) { r.Status = "EXPIRED" }), []string{"D"}},
		{"channel viber", with(func(r *wrapper.ListAuthenticationsRequest) { r.Channel = wrapper.ChannelViber }), []string{"B", "D", "F"}},
		{"channel sms", with(func(r *wrapper.ListAuthenticationsRequest) { r.Channel = "SMS" }), []string{"A", "C", "E"}},
		{"recipient", with(func(r *wrapper.ListAuthenticationsRequest) { r.Recipient = "+380 (67) 123-45-67" }), []string{"A", "E"}},
		{"country code", with(func(r *wrapper.ListAuthenticationsRequest) { r.CountryCode = "ua" }), []string{"A", "E"}},
		{"country code DE", with(func(r *wrapper.ListAuthenticationsRequest) { r.CountryCode = "DE" }), []string{"D"}},
		{"filters combined", with(func(r *wrapper.ListAuthenticationsRequest) {
			r.Recipient, r.Status = e2eUA, wrapper.StatusVerified
		}), []string{"A"}},
		{"nothing matches", with(func(r *wrapper.ListAuthenticationsRequest) { r.CountryCode = "JP" }), []string{}},
		{"day 1, both ends inclusive", wrapper.ListAuthenticationsRequest{From: day(1), To: day(1)}, []string{"A", "B", "C"}},
		{"day 1 by instants inside it", wrapper.ListAuthenticationsRequest{
			From: day(1).Add(18 * time.Hour), To: day(1).Add(18 * time.Hour),
		}, []string{"A", "B", "C"}},
		{"day 2", wrapper.ListAuthenticationsRequest{From: day(2), To: day(2)}, []string{"D"}},
		{"days 2 to 3", wrapper.ListAuthenticationsRequest{From: day(2), To: day(3).Add(23 * time.Hour)}, []string{"D", "E", "F"}},
		{"the day before", wrapper.ListAuthenticationsRequest{From: day(0), To: day(0)}, []string{}},
		{"the day after", wrapper.ListAuthenticationsRequest{From: day(4), To: day(9)}, []string{}},
		{"sort created_at asc", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy, r.Order = "created_at", wrapper.Asc }), []string{"A", "B", "C", "D", "E", "F"}},
		{"sort created_at desc", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy, r.Order = "created_at", wrapper.Desc }), []string{"F", "E", "D", "C", "B", "A"}},
		{"default sort desc", with(func(r *wrapper.ListAuthenticationsRequest) { r.Order = "DESC" }), []string{"F", "E", "D", "C", "B", "A"}},
		{"sort status", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy = "status" }), []string{"B", "D", "C", "E", "F", "A"}},
		{"sort status desc", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy, r.Order = "status", wrapper.Desc }), []string{"A", "F", "E", "C", "D", "B"}},
		{"sort channel", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy = "channel" }), []string{"A", "C", "E", "B", "D", "F"}},
		{"sort channel desc", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy, r.Order = "channel", wrapper.Desc }), []string{"F", "D", "B", "E", "C", "A"}},
		{"sort recipient", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy = "recipient" }), []string{"B", "A", "E", "C", "F", "D"}},
		{"sort recipient desc", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy, r.Order = "recipient", wrapper.Desc }), []string{"D", "F", "C", "E", "A", "B"}},
		{"sort finished_at", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy = "finished_at" }), []string{"E", "F", "A", "B", "C", "D"}},
		{"sort finished_at desc", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy, r.Order = "finished_at", wrapper.Desc }), []string{"D", "C", "B", "A", "F", "E"}},
		{"sort country_code", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy = "country_code" }), []string{"D", "B", "C", "F", "A", "E"}},
		{"sort country_code desc", with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy, r.Order = "country_code", wrapper.Desc }), []string{"E", "A", "F", "C", "B", "D"}},
		{"offset", with(func(r *wrapper.ListAuthenticationsRequest) { r.Offset = 4 }), []string{"E", "F"}},
		{"offset past the end", with(func(r *wrapper.ListAuthenticationsRequest) { r.Offset = 6 }), []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := e.c.ListAuthenticationsPage(ctx, tt.req)
			require.NoError(t, err)
			want := make([]string, len(tt.want))
			for i, n := range tt.want {
				want[i] = s[n].ID
			}
			assert.Equal(t, want, e2eIDs(page.Items))
			if tt.req.Offset == 0 {
				assert.Equal(t, len(tt.want), page.Total)
			} else {
				assert.Equal(t, 6, page.Total, "total counts every match, not just the page")
			}
		})
	}

	t.Run("sort id", func(t *testing.T) {
		for _, order := range []wrapper.SortOrder{wrapper.Asc, wrapper.Desc} {
			page, err := e.c.ListAuthenticationsPage(ctx, with(func(r *wrapper.ListAuthenticationsRequest) { r.SortBy, r.Order = "id", order }))
			require.NoError(t, err)
			want := sortedIDs("A", "B", "C", "D", "E", "F")
			if order == wrapper.Desc {
				slices.Reverse(want)
			}
			assert.Equal(t, want, e2eIDs(page.Items), order)
		}
	})

	t.Run("listed sessions carry their state", func(t *testing.T) {
		page, err := e.c.ListAuthenticationsPage(ctx, all)
		require.NoError(t, err)
		require.Len(t, page.Items, 6)
		want := []struct {
			status   wrapper.Status
			price    string
			channel  wrapper.Channel
			country  string
			finished bool
		}{
			{wrapper.StatusVerified, "0.02", wrapper.ChannelSMS, "UA", true},
			{wrapper.StatusCanceled, "0", wrapper.ChannelViber, "FR", true},
			{wrapper.StatusFailed, "0", wrapper.ChannelSMS, "GB", true},
			{wrapper.StatusExpired, "0", wrapper.ChannelViber, "DE", true},
			{wrapper.StatusPending, "0", wrapper.ChannelSMS, "UA", false},
			{wrapper.StatusPending, "0", wrapper.ChannelViber, "PL", false},
		}
		for i, a := range page.Items {
			assert.Equal(t, want[i].status, a.Status, i)
			assert.Equal(t, want[i].price, a.Price.String(), i)
			assert.Equal(t, want[i].channel, a.Channel, i)
			assert.Equal(t, want[i].country, a.CountryCode, i)
			assert.Equal(t, want[i].finished, !a.FinishedAt.IsZero(), i)
			assert.False(t, a.CreatedAt.IsZero(), i)
			assert.Len(t, a.Messages, 1, i)
		}
		e2eSameTime(t, time.Date(2024, 5, 11, 10, 0, 30, 0, time.UTC), page.Items[3].FinishedAt, "expired at its lifetime's end")
	})
}

func TestE2EListAuthenticationsIterator(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t)
	for i := range 25 {
		e.clock.Advance(time.Second)
		e.send(e2eSMS("38067123450" + strconv.Itoa(i%10)))
	}
	req := wrapper.ListAuthenticationsRequest{From: e2eStart, To: e2eStart, Limit: 10}
	var pages []string
	for offset := 0; offset < 30; offset += 10 {
		r := req
		r.Offset = offset
		page, err := e.c.ListAuthenticationsPage(ctx, r)
		require.NoError(t, err)
		assert.Equal(t, 25, page.Total)
		pages = append(pages, e2eIDs(page.Items)...)
	}
	require.Len(t, pages, 25)
	listPath := "GET " + e2eAuthsPath

	tests := []struct {
		name     string
		req      wrapper.ListAuthenticationsRequest
		stop     int // break after this many items; 0 walks to the end
		want     []string
		requests int
	}{
		{"every page", req, 0, pages, 3},
		{"from an offset", func() wrapper.ListAuthenticationsRequest { r := req; r.Offset = 5; return r }(), 0, pages[5:], 2},
		{"one page of 100", wrapper.ListAuthenticationsRequest{From: e2eStart, To: e2eStart}, 0, pages, 1},
		{"early break in the second page", req, 12, pages[:12], 2},
		{"early break at a page's end", req, 10, pages[:10], 1},
		{"filtered", func() wrapper.ListAuthenticationsRequest { r := req; r.Recipient = "380671234503"; return r }(),
			0, []string{pages[3], pages[13], pages[23]}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.hitsOf(listPath)
			var got []string
			for a, err := range e.c.ListAuthentications(ctx, tt.req) {
				require.NoError(t, err)
				got = append(got, a.ID)
				if len(got) == tt.stop {
					break
				}
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.requests, e.hitsOf(listPath)-before)
		})
	}

	t.Run("an error is yielded once", func(t *testing.T) {
		before := e.hitsOf(listPath)
		n := 0
		for _, err := range e.c.ListAuthentications(ctx, wrapper.ListAuthenticationsRequest{From: e2eStart}) {
			n++
			require.ErrorIs(t, err, wrapper.ErrInvalidParams)
		}
		assert.Equal(t, 1, n)
		assert.Equal(t, before, e.hitsOf(listPath), "a refused request is not sent")
	})
}

func TestE2ETemplates(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t)

	def, err := e.c.GetTemplate(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, def.ID)
	assert.Equal(t, "Your code is {code2fa}", def.Text)
	assert.Equal(t, wrapper.TemplateApproved, def.Status)
	assert.Empty(t, def.Countries, "the default template serves every country")
	e2eSameTime(t, e2eStart, def.UpdatedAt, "UpdatedAt")

	e.clock.Advance(time.Second)
	created, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{
		Name: "Welcome", Text: "Welcome! Your code: {code2fa}", Countries: []string{"ua", "fr"},
	})
	require.NoError(t, err)
	assert.Equal(t, 2, created.ID)
	assert.Equal(t, "Welcome", created.Name)
	assert.Equal(t, "Welcome! Your code: {code2fa}", created.Text)
	assert.ElementsMatch(t, []string{"UA", "FR"}, created.Countries)
	assert.Equal(t, wrapper.TemplateRequested, created.Status)
	e2eSameTime(t, e2eStart.Add(time.Second), created.UpdatedAt, "UpdatedAt")

	got, err := e.c.GetTemplate(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, created, got)

	send := func(recipient string) (*wrapper.Authentication, error) {
		return e.c.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: recipient, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: created.ID})
	}
	_, err = send(e2eUA)
	e2eRequireErr(t, err, wrapper.ErrTemplateNotApproved, http.StatusUnprocessableEntity)

	e.clock.Advance(time.Second)
	require.NoError(t, e.sb.ApproveTemplate(created.ID))
	got, err = e.c.GetTemplate(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, wrapper.TemplateApproved, got.Status)
	e2eSameTime(t, e2eStart.Add(2*time.Second), got.UpdatedAt, "UpdatedAt after approval")

	a, err := send("+380 67 123 45 67")
	require.NoError(t, err)
	assert.Equal(t, "Welcome! Your code: {code}", a.MessageText)
	assert.Equal(t, "UA", a.CountryCode)
	a, err = send("33612345678")
	require.NoError(t, err)
	assert.Equal(t, "FR", a.CountryCode)
	_, err = send("447911123456")
	e2eRequireErr(t, err, wrapper.ErrTemplateNotAvailable, http.StatusUnprocessableEntity)

	require.NoError(t, e.sb.RejectTemplate(created.ID))
	got, err = e.c.GetTemplate(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, wrapper.TemplateRejected, got.Status)
	_, err = send(e2eUA)
	e2eRequireErr(t, err, wrapper.ErrTemplateNotApproved, http.StatusUnprocessableEntity)

	// The sandbox endpoint moderates over plain HTTP, for any language.
	status, body := e.raw(http.MethodPost, "/_sandbox/templates/2/approve", "", false)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"status":"approved"`)
	_, err = send(e2eUA)
	require.NoError(t, err)
	status, body = e.raw(http.MethodPost, "/_sandbox/templates/2/reject", "", false)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"status":"rejected"`)
	status, _ = e.raw(http.MethodPost, "/_sandbox/templates/99/approve", "", false)
	assert.Equal(t, http.StatusNotFound, status)
	assert.ErrorIs(t, e.sb.ApproveTemplate(99), sandbox.ErrTemplateNotFound)
	assert.ErrorIs(t, e.sb.RejectTemplate(99), sandbox.ErrTemplateNotFound)

	require.NoError(t, e.c.DeleteTemplate(ctx, created.ID))
	_, err = e.c.GetTemplate(ctx, created.ID)
	e2eRequireErr(t, err, wrapper.ErrTemplateNotFound, http.StatusNotFound)
	_, err = send(e2eUA)
	e2eRequireErr(t, err, wrapper.ErrTemplateNotFound, http.StatusNotFound)
	err = e.c.DeleteTemplate(ctx, created.ID)
	e2eRequireErr(t, err, wrapper.ErrTemplateNotFound, http.StatusNotFound)

	// A deleted template's name is free again.
	again, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: "Welcome", Text: "Hi, {code2fa}!!", Countries: []string{"UA"}})
	require.NoError(t, err)
	assert.Equal(t, 3, again.ID)
}

// e2eRewrite replaces the text of every template the client creates, to send what the
// wrapper's own checks refuse and read the service's answer through the wrapper.
type e2eRewrite struct {
	next http.RoundTripper
	text string
}

func (r e2eRewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || req.URL.Path != e2eTmplPath {
		return r.next.RoundTrip(req)
	}
	var body map[string]any
	err := json.NewDecoder(req.Body).Decode(&body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	body["text"] = r.text
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return r.next.RoundTrip(out)
}

func TestE2ETemplateErrors(t *testing.T) {
	ctx := context.Background()
	create := func(name, text string) func(*e2eEnv) error {
		return func(e *e2eEnv) error {
			_, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: name, Text: text, Countries: []string{"UA"}})
			return err
		}
	}
	through := func(text string) func(*e2eEnv) error {
		return func(e *e2eEnv) error {
			c := e.client(e2eKey, wrapper.WithHTTPClient(&http.Client{Transport: e2eRewrite{next: testkit.NewSpecTransport(e.t, http.DefaultTransport), text: text}}))
			_, err := c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: "Rewritten", Text: "Code: {code2fa}", Countries: []string{"UA"}})
			return err
		}
	}
	tests := []struct {
		name    string
		before  func(e *e2eEnv)
		call    func(e *e2eEnv) error
		want    error
		status  int  // 0: refused by the wrapper, nothing sent
		created bool // whether the case may create a template
	}{
		{
			name:   "name taken",
			before: func(e *e2eEnv) { require.NoError(e.t, create("Taken", "Code {code2fa}")(e)) },
			call:   create("Taken", "Other {code2fa}"), want: wrapper.ErrTemplateNameTaken, status: http.StatusUnprocessableEntity,
		},
		{name: "the default template's name", call: create("Default", "Other {code2fa}"), want: wrapper.ErrTemplateNameTaken, status: http.StatusUnprocessableEntity},
		{name: "code missing, refused by the wrapper", call: create("Missing", "No code here"), want: wrapper.ErrInvalidParams},
		{name: "code repeated, refused by the wrapper", call: create("Twice", "{code2fa} {code2fa}"), want: wrapper.ErrInvalidParams},
		{name: "code missing, answered by the sandbox", call: through("No code here"), want: wrapper.ErrTemplateCodeMissing, status: http.StatusUnprocessableEntity},
		{name: "code repeated, answered by the sandbox", call: through("{code2fa} {code2fa}"), want: wrapper.ErrTemplateCodeRepeated, status: http.StatusUnprocessableEntity},
		{
			name: "an eleventh requested template",
			before: func(e *e2eEnv) {
				for i := range 10 {
					require.NoError(e.t, create("Request "+strconv.Itoa(i), "Code {code2fa}")(e))
				}
			},
			call: create("Request 10", "Code {code2fa}"), want: wrapper.ErrTemplateRequestLimit, status: http.StatusUnprocessableEntity,
		},
		{
			name: "an eleventh template once one of ten is approved",
			before: func(e *e2eEnv) {
				for i := range 10 {
					require.NoError(e.t, create("Request "+strconv.Itoa(i), "Code {code2fa}")(e))
				}
				require.NoError(e.t, e.sb.ApproveTemplate(5))
			},
			call: create("Request 10", "Code {code2fa}"), created: true,
		},
		{
			name: "an eleventh template once one of ten is deleted",
			before: func(e *e2eEnv) {
				for i := range 10 {
					require.NoError(e.t, create("Request "+strconv.Itoa(i), "Code {code2fa}")(e))
				}
				require.NoError(e.t, e.c.DeleteTemplate(ctx, 4))
			},
			call: create("Request 10", "Code {code2fa}"), created: true,
		},
		{name: "get unknown", call: func(e *e2eEnv) error { _, err := e.c.GetTemplate(ctx, 42); return err }, want: wrapper.ErrTemplateNotFound, status: http.StatusNotFound},
		{name: "delete unknown", call: func(e *e2eEnv) error { return e.c.DeleteTemplate(ctx, 42) }, want: wrapper.ErrTemplateNotFound, status: http.StatusNotFound},
		{name: "delete the default template", call: func(e *e2eEnv) error { return e.c.DeleteTemplate(ctx, 1) }, want: wrapper.ErrDefaultTemplate, status: http.StatusUnprocessableEntity},
		{name: "get id 0, refused by the wrapper", call: func(e *e2eEnv) error { _, err := e.c.GetTemplate(ctx, 0); return err }, want: wrapper.ErrInvalidParams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			if tt.before != nil {
				tt.before(e)
			}
			requests := e.hitsOf("POST "+e2eTmplPath) + e.hitsOf("GET "+e2eTmplPath+"/42") + e.hitsOf("GET "+e2eTmplPath+"/0")
			err := tt.call(e)
			switch {
			case tt.want == nil:
				require.NoError(t, err)
			case tt.status == 0:
				require.ErrorIs(t, err, tt.want)
				var v *wrapper.ValidationError
				require.ErrorAs(t, err, &v)
				after := e.hitsOf("POST "+e2eTmplPath) + e.hitsOf("GET "+e2eTmplPath+"/42") + e.hitsOf("GET "+e2eTmplPath+"/0")
				assert.Equal(t, requests, after, "a refused call sends nothing")
			default:
				e2eRequireErr(t, err, tt.want, tt.status)
			}
			if !tt.created {
				page, err := e.c.ListTemplatesPage(ctx, wrapper.ListTemplatesRequest{})
				require.NoError(t, err)
				for _, tmpl := range page.Items {
					assert.NotEqual(t, "Rewritten", tmpl.Name)
					assert.NotEqual(t, "Request 10", tmpl.Name)
				}
			}
			def, err := e.c.GetTemplate(ctx, 1)
			require.NoError(t, err)
			assert.Equal(t, wrapper.TemplateApproved, def.Status, "the default template stays")
		})
	}
}

// TestE2ETemplateRulesOverHTTP shows the sandbox's own answers to what the wrapper refuses
// locally. A text without {code2fa} fails the spec's pattern, so it is answered as a field
// error; a repeated one passes the pattern and is refused by the template rules.
func TestE2ETemplateRulesOverHTTP(t *testing.T) {
	tests := []struct {
		name, text, answer string
	}{
		{"code missing", "No code here",
			`{"message":"The given data was invalid.","errors":{"text":["The variable {code2fa} is required in the text"]}}`},
		{"code repeated", "{code2fa} and {code2fa}",
			`{"errors":[{"message":"The {code2fa} variable must occur only once in the text"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			body, err := json.Marshal(map[string]any{"name": "Raw", "text": tt.text, "countries": []string{"UA"}})
			require.NoError(t, err)
			status, answer := e.raw(http.MethodPost, e2eTmplPath, string(body), true)
			assert.Equal(t, http.StatusUnprocessableEntity, status)
			assert.JSONEq(t, tt.answer, answer)
		})
	}
}

func TestE2EListTemplates(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t)
	for i, name := range []string{"Alpha", "Charlie", "Bravo"} { // ids 2, 3, 4
		e.clock.Advance(time.Second)
		tmpl, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: name, Text: name + " {code2fa}", Countries: []string{"UA"}})
		require.NoError(t, err)
		require.Equal(t, i+2, tmpl.ID)
	}
	e.clock.Advance(time.Second)
	require.NoError(t, e.sb.ApproveTemplate(2)) // updated last but one
	e.clock.Advance(time.Second)
	status, _ := e.raw(http.MethodPost, "/_sandbox/templates/4/reject", "", false) // updated last
	require.Equal(t, http.StatusOK, status)
	// updated_at: 1 < 3 < 2 < 4; names: Alpha 2, Bravo 4, Charlie 3, Default 1;
	// statuses: approved 1 2, rejected 4, requested 3.

	tests := []struct {
		name  string
		req   wrapper.ListTemplatesRequest
		want  []int
		total int
	}{
		{"no filter: by updated_at", wrapper.ListTemplatesRequest{}, []int{1, 3, 2, 4}, 4},
		{"ids", wrapper.ListTemplatesRequest{IDs: []int{4, 2}}, []int{2, 4}, 2},
		{"ids with an unknown one", wrapper.ListTemplatesRequest{IDs: []int{3, 77}}, []int{3}, 1},
		{"status approved", wrapper.ListTemplatesRequest{Status: wrapper.TemplateApproved}, []int{1, 2}, 2},
		{"status requested", wrapper.ListTemplatesRequest{Status: wrapper.TemplateRequested}, []int{3}, 1},
		{"status rejected", wrapper.ListTemplatesRequest{Status: "Rejected"}, []int{4}, 1},
		{"status deleted", wrapper.ListTemplatesRequest{Status: wrapper.TemplateDeleted}, []int{}, 0},
		{"ids and status", wrapper.ListTemplatesRequest{IDs: []int{1, 3}, Status: wrapper.TemplateApproved}, []int{1}, 1},
		{"sort template_id", wrapper.ListTemplatesRequest{SortBy: "template_id"}, []int{1, 2, 3, 4}, 4},
		{"sort template_id desc", wrapper.ListTemplatesRequest{SortBy: "template_id", Order: wrapper.Desc}, []int{4, 3, 2, 1}, 4},
		{"sort name", wrapper.ListTemplatesRequest{SortBy: "name", Order: wrapper.Asc}, []int{2, 4, 3, 1}, 4},
		{"sort name desc", wrapper.ListTemplatesRequest{SortBy: "name", Order: wrapper.Desc}, []int{1, 3, 4, 2}, 4},
		{"sort status", wrapper.ListTemplatesRequest{SortBy: "status"}, []int{1, 2, 4, 3}, 4},
		{"sort status desc", wrapper.ListTemplatesRequest{SortBy: "status", Order: wrapper.Desc}, []int{3, 4, 2, 1}, 4},
		{"sort updated_at", wrapper.ListTemplatesRequest{SortBy: "updated_at"}, []int{1, 3, 2, 4}, 4},
		{"sort updated_at desc", wrapper.ListTemplatesRequest{SortBy: "UPDATED_AT", Order: "desc"}, []int{4, 2, 3, 1}, 4},
		{"offset", wrapper.ListTemplatesRequest{Offset: 3, SortBy: "template_id"}, []int{4}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := e.c.ListTemplatesPage(ctx, tt.req)
			require.NoError(t, err)
			assert.Equal(t, tt.want, e2eTemplateIDs(page.Items))
			assert.Equal(t, tt.total, page.Total)
		})
	}

	t.Run("listed templates carry their fields", func(t *testing.T) {
		page, err := e.c.ListTemplatesPage(ctx, wrapper.ListTemplatesRequest{IDs: []int{4}})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		got, err := e.c.GetTemplate(ctx, 4)
		require.NoError(t, err)
		assert.Equal(t, *got, page.Items[0])
		assert.Equal(t, "Bravo", got.Name)
		assert.Equal(t, "Bravo {code2fa}", got.Text)
		assert.Equal(t, []string{"UA"}, got.Countries)
		e2eSameTime(t, e2eStart.Add(5*time.Second), got.UpdatedAt, "UpdatedAt")
	})
}

func TestE2EListTemplatesIterator(t *testing.T) {
	ctx := context.Background()
	var opts []sandbox.Option
	for id := 2; id <= 25; id++ {
		opts = append(opts, sandbox.WithApprovedTemplate(id, "Seeded "+strconv.Itoa(id), "Code {code2fa}", "UA"))
	}
	e := newE2E(t, opts...)
	req := wrapper.ListTemplatesRequest{Limit: 10, SortBy: "template_id"}
	var pages []int
	for offset := 0; offset < 30; offset += 10 {
		r := req
		r.Offset = offset
		page, err := e.c.ListTemplatesPage(ctx, r)
		require.NoError(t, err)
		assert.Equal(t, 25, page.Total)
		pages = append(pages, e2eTemplateIDs(page.Items)...)
	}
	want := make([]int, 25)
	for i := range want {
		want[i] = i + 1
	}
	require.Equal(t, want, pages)
	listPath := "GET " + e2eTmplPath

	tests := []struct {
		name     string
		req      wrapper.ListTemplatesRequest
		stop     int
		want     []int
		requests int
	}{
		{"every page", req, 0, pages, 3},
		{"one page of 100", wrapper.ListTemplatesRequest{SortBy: "template_id"}, 0, pages, 1},
		{"descending", wrapper.ListTemplatesRequest{Limit: 10, SortBy: "template_id", Order: wrapper.Desc}, 0,
			func() []int { p := slices.Clone(pages); slices.Reverse(p); return p }(), 3},
		{"early break", req, 11, pages[:11], 2},
		{"ids", wrapper.ListTemplatesRequest{Limit: 10, IDs: []int{25, 1, 13}, SortBy: "template_id"}, 0, []int{1, 13, 25}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.hitsOf(listPath)
			var got []int
			for tmpl, err := range e.c.ListTemplates(ctx, tt.req) {
				require.NoError(t, err)
				got = append(got, tmpl.ID)
				if len(got) == tt.stop {
					break
				}
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.requests, e.hitsOf(listPath)-before)
		})
	}
}

func TestE2ESandboxCodeEndpoint(t *testing.T) {
	e := newE2E(t)
	a := e.send(e2eSMS(e2eUA))
	read := func(id string) (int, string) {
		status, body := e.raw(http.MethodGet, "/_sandbox/authentications/"+id+"/code", "", false)
		if status != http.StatusOK {
			return status, ""
		}
		var out struct{ Code string }
		require.NoError(t, json.Unmarshal([]byte(body), &out))
		return status, out.Code
	}
	tests := []struct {
		name   string
		before func()
		id     string
	}{
		{"after send", nil, a.ID},
		{"after resend", func() {
			_, err := e.c.ResendOTP(context.Background(), a.ID)
			require.NoError(t, err)
		}, a.ID},
		{"after verify", func() { e.verify(a.ID) }, a.ID},
	}
	prev := ""
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			status, code := read(tt.id)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, e.code(tt.id), code)
			if tt.name == "after resend" {
				assert.NotEqual(t, prev, code)
			}
			prev = code
		})
	}
	t.Run("unknown", func(t *testing.T) {
		status, _ := read(e2eUnknownID)
		assert.Equal(t, http.StatusNotFound, status)
		_, ok := e.sb.LastCode(e2eUnknownID)
		assert.False(t, ok)
	})
}
