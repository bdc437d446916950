package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// call runs one request through the handler without a network.
func call(t testing.TB, h http.Handler, bearer, method, path, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func loginTo(t testing.TB, s *Server) string {
	t.Helper()
	status, body := call(t, s, "", http.MethodPost, "/api/auth/login", `{"api_key":"k"}`)
	require.Equal(t, http.StatusOK, status, body)
	var tok struct{ Bearer string }
	require.NoError(t, json.Unmarshal([]byte(body), &tok))
	return tok.Bearer
}

const boundsSend = `{"recipient":"380501403813","channel":"sms","sender":"SENDER","template_id":"1","code_lifetime":30,"code_max_tries":3,"code_digits":6}`

func sendVerify(t testing.TB, s *Server, bearer string, verify bool) {
	t.Helper()
	status, body := call(t, s, bearer, http.MethodPost, "/api/2fa/authentications/otp", boundsSend)
	require.Equal(t, http.StatusCreated, status, body)
	var out struct{ Data struct{ ID string } }
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	if !verify {
		return
	}
	code, ok := s.LastCode(out.Data.ID)
	require.True(t, ok)
	status, body = call(t, s, bearer, http.MethodPost, "/api/2fa/authentications/otp/"+out.Data.ID+"/verify", `{"access_code":"`+code+`"}`)
	require.Equal(t, http.StatusOK, status, body)
}

func TestRetainedSessionsStayBounded(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		step    time.Duration
		verify  bool
		atMost  int
		atLeast int
	}{
		// Verified sessions beyond the maximum count are dropped, oldest first.
		{"max count", []Option{WithMaxSessions(100)}, time.Millisecond, true, 100, 100},
		// Verified sessions older than the retention are dropped: one a second, kept 60s.
		{"retention", []Option{WithRetention(time.Minute)}, time.Second, true, 61, 59},
		// Sessions left pending expire after 30s and then count as finished.
		{"pending expire", []Option{WithMaxSessions(100)}, time.Second, false, 131, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := testkit.NewClockAt(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
			s := New(append([]Option{WithClock(clock.Now)}, tt.opts...)...)
			bearer := loginTo(t, s)
			for i := range 1500 {
				sendVerify(t, s, bearer, tt.verify)
				clock.Advance(tt.step)
				if i > 200 {
					require.LessOrEqual(t, s.retained(), tt.atMost, "after %d sends", i+1)
				}
			}
			assert.GreaterOrEqual(t, s.retained(), tt.atLeast)
		})
	}
}

func TestDroppedSessionIsNotFound(t *testing.T) {
	clock := testkit.NewClockAt(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	s := New(WithClock(clock.Now), WithRetention(time.Hour))
	bearer := loginTo(t, s)
	status, body := call(t, s, bearer, http.MethodPost, "/api/2fa/authentications/otp", boundsSend)
	require.Equal(t, http.StatusCreated, status)
	var out struct{ Data struct{ ID string } }
	require.NoError(t, json.Unmarshal([]byte(body), &out))

	clock.Advance(30*time.Second + time.Hour) // expired at 30s, retained for an hour after
	status, _ = call(t, s, bearer, http.MethodPost, "/api/2fa/authentications/otp", boundsSend)
	require.Equal(t, http.StatusCreated, status)
	status, body = call(t, s, bearer, http.MethodGet, "/api/2fa/authentications/"+out.Data.ID, "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, `{"errors":[{"message":"Authentication not found"}]}`, body)
	_, ok := s.LastCode(out.Data.ID)
	assert.False(t, ok)
}

func TestQueue(t *testing.T) {
	var q queue[int]
	for i := range 5000 {
		q.push(i)
	}
	for i := range 4000 {
		require.Equal(t, i, q.peek())
		q.pop()
	}
	assert.Equal(t, 1000, q.len())
	assert.LessOrEqual(t, len(q.items), 2000, "popped items are compacted away")
	for i := range 1000 {
		require.Equal(t, 4000+i, q.peek())
		q.pop()
	}
	assert.Equal(t, 0, q.len())
}

func TestMoney(t *testing.T) {
	tests := []struct {
		in        string
		units     int64
		comma, pt string
		bad       bool
	}{
		{in: "0,02", units: 200_000, comma: "0,02", pt: "0.02"},
		{in: "0.0642918", units: 642_918, comma: "0,0642918", pt: "0.0642918"},
		{in: "50.25", units: 502_500_000, comma: "50,25", pt: "50.25"},
		{in: "0", units: 0, comma: "0", pt: "0"},
		{in: "12", units: 120_000_000, comma: "12", pt: "12"},
		{in: "0.00000001", bad: true},
		{in: "-1", bad: true},
		{in: "1e3", bad: true},
		{in: "", bad: true},
		{in: ",5", bad: true},
		{in: "99999999999999", bad: true},
		{in: " 1.5 ", units: 15_000_000, comma: "1,5", pt: "1.5"},
		{in: "1.50000000", units: 15_000_000, comma: "1,5", pt: "1.5"}, // 8 digits, 1 decimal place
		{in: "99999999999.9999999", units: 999_999_999_999_999_999, comma: "99999999999,9999999", pt: "99999999999.9999999"},
		{in: "100000000000", bad: true},
		{in: "1.", bad: true}, // the service's grammar, as ParsePrice reads it, wants digits after the point
		{in: "-0", bad: true},
		{in: "+1", bad: true},
		{in: "1,2,3", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := parseMoney(tt.in)
			assert.Equal(t, !tt.bad, ValidAmount(tt.in))
			if tt.bad {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.units, v)
			assert.Equal(t, tt.comma, formatMoney(v, ','))
			assert.Equal(t, tt.pt, formatMoney(v, '.'))
		})
	}
	assert.Equal(t, "-0,01", formatMoney(-100_000, ','))
}

func TestCountryOf(t *testing.T) {
	tests := map[string]string{
		"380979965073": "UA", "33612345678": "FR", "351912345678": "PT", "393123456789": "IT",
		"61401629754": "AU", "447700900123": "GB", "12025550123": "US", "4915112345678": "DE",
		"48601234567": "PL", "3581234567": "FI", "999123456": "XX",
	}
	for number, want := range tests {
		assert.Equal(t, want, countryOf(number), number)
	}
}

func TestLimiter(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &limiter{rate: 2, tokens: 2}
	for range 2 {
		_, ok := l.take(start)
		require.True(t, ok)
	}
	wait, ok := l.take(start)
	assert.False(t, ok)
	assert.Equal(t, 1, wait)
	_, ok = l.take(start.Add(500 * time.Millisecond))
	assert.True(t, ok)
	_, ok = l.take(start.Add(500 * time.Millisecond))
	assert.False(t, ok)
}
