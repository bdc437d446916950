package wrapper

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// authFake is a service whose auth endpoints are scripted per test and counted.
type authFake struct {
	mu        sync.Mutex
	logins    int
	refreshes int
	calls     int
	bearers   []string // every bearer seen on GET /api/2fa/authentications/{id}
	issued    []string // every bearer handed out

	login   func(n int) (int, string) // status and body of login number n (from 1)
	refresh func(n int) (int, string)
	api     func(bearer string, n int) int // status of API call number n
}

func newAuthFake(t *testing.T) (*authFake, *httptest.Server) {
	t.Helper()
	f := &authFake{}
	f.login = func(int) (int, string) { return http.StatusOK, f.issue(time.Now(), time.Hour) }
	f.refresh = f.login
	f.api = func(string, int) int { return http.StatusOK }
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/login", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			APIKey string `json:"api_key"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		f.logins++
		n := f.logins
		f.mu.Unlock()
		if body.APIKey != testAPIKey {
			writeJSON(w, http.StatusUnauthorized, `{"message":"Unauthenticated."}`)
			return
		}
		status, b := f.login(n)
		writeJSON(w, status, b)
	})
	mux.HandleFunc("POST /api/auth/refresh", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.refreshes++
		n := f.refreshes
		f.mu.Unlock()
		status, b := f.refresh(n)
		writeJSON(w, status, b)
	})
	mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
		bearer := r.Header.Get("Authorization")
		f.mu.Lock()
		f.calls++
		n := f.calls
		f.bearers = append(f.bearers, bearer)
		f.mu.Unlock()
		if status := f.api(bearer, n); status != http.StatusOK {
			writeJSON(w, status, `{"message":"Unauthenticated."}`)
			return
		}
		writeJSON(w, http.StatusOK, statusBody)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv
}

// issue returns a token body with iat and exp from the given issue time and lifetime.
func (f *authFake) issue(iat time.Time, life time.Duration) string {
	jwt := testkit.JWTAt(iat, iat.Add(life))
	f.mu.Lock()
	f.issued = append(f.issued, jwt)
	f.mu.Unlock()
	return `{"bearer":"` + jwt + `"}`
}

func (f *authFake) counts() (logins, refreshes, calls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins, f.refreshes, f.calls
}

func newAuthClient(t *testing.T, srv *httptest.Server, apiKey string, opts ...Option) (*Client, *testkit.Clock) {
	t.Helper()
	c, err := New(apiKey, append([]Option{WithBaseURL(srv.URL)}, opts...)...)
	require.NoError(t, err)
	fastRetries(c)
	clock := testkit.NewClockAt(time.Now())
	c.auth.now = clock.Now
	return c, clock
}

func get(c *Client) error {
	_, err := c.GetAuthentication(context.Background(), statusID)
	return err
}

func TestConcurrentFirstCallsLogInOnce(t *testing.T) {
	f, srv := newAuthFake(t)
	slow := f.login
	f.login = func(n int) (int, string) {
		time.Sleep(20 * time.Millisecond) // keep the login open while the others arrive
		return slow(n)
	}
	c, _ := newAuthClient(t, srv, testAPIKey)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- get(c)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	logins, refreshes, calls := f.counts()
	assert.Equal(t, 1, logins)
	assert.Equal(t, 0, refreshes)
	assert.Equal(t, 100, calls)
}

func TestTokenRefreshBeforeExpiry(t *testing.T) {
	f, srv := newAuthFake(t)
	c, clock := newAuthClient(t, srv, testAPIKey)

	require.NoError(t, get(c))
	clock.Advance(30 * time.Minute)
	require.NoError(t, get(c))
	logins, refreshes, _ := f.counts()
	assert.Equal(t, [2]int{1, 0}, [2]int{logins, refreshes}, "half-way: the bearer is kept")

	clock.Advance(20 * time.Minute) // 50 of 60 minutes: due for refresh
	require.NoError(t, get(c))
	require.NoError(t, get(c))
	logins, refreshes, _ = f.counts()
	assert.Equal(t, [2]int{1, 1}, [2]int{logins, refreshes}, "one refresh")

	f.mu.Lock()
	bearers, issued := append([]string(nil), f.bearers...), append([]string(nil), f.issued...)
	f.mu.Unlock()
	require.Len(t, issued, 2)
	assert.Equal(t, "Bearer "+issued[0], bearers[0])
	assert.Equal(t, "Bearer "+issued[1], bearers[2], "the refreshed bearer is used")
	assert.Equal(t, "Bearer "+issued[1], bearers[3])

	clock.Advance(3 * time.Hour) // long past expiry: log in again
	require.NoError(t, get(c))
	logins, refreshes, _ = f.counts()
	assert.Equal(t, [2]int{2, 1}, [2]int{logins, refreshes})
}

func TestTokenRefreshFailureLogsIn(t *testing.T) {
	f, srv := newAuthFake(t)
	f.refresh = func(int) (int, string) { return http.StatusInternalServerError, `{"message":"2FA Service error."}` }
	c, clock := newAuthClient(t, srv, testAPIKey)
	require.NoError(t, get(c))
	clock.Advance(55 * time.Minute)
	require.NoError(t, get(c))
	logins, refreshes, _ := f.counts()
	assert.Equal(t, 2, logins)
	assert.Equal(t, 1, refreshes)
}

func TestTokenRenewalFailureKeepsValidBearer(t *testing.T) {
	f, srv := newAuthFake(t)
	c, clock := newAuthClient(t, srv, testAPIKey)
	require.NoError(t, get(c))
	// From now on both auth endpoints fail; the bearer still has 10 minutes.
	f.refresh = func(int) (int, string) { return http.StatusBadGateway, `<html>bad gateway</html>` }
	f.login = f.refresh
	clock.Advance(50 * time.Minute)
	require.NoError(t, get(c), "the current bearer keeps working")
	require.NoError(t, get(c), "and the renewal is not retried on every call")
	logins, refreshes, calls := f.counts()
	assert.Equal(t, 2, logins)
	assert.Equal(t, 1, refreshes)
	assert.Equal(t, 3, calls)
}

func TestClockSkewDoesNotCauseLoginPerCall(t *testing.T) {
	tests := []struct {
		name  string
		token func(f *authFake) string
	}{
		// The service's clock is three hours behind ours: by our clock the bearer expired
		// two hours ago, but its lifetime (exp − iat) is an hour.
		{"service clock behind", func(f *authFake) string { return f.issue(time.Now().Add(-3*time.Hour), time.Hour) }},
		{"service clock ahead", func(f *authFake) string { return f.issue(time.Now().Add(5*time.Hour), time.Hour) }},
		// Only exp, already past by our clock: lifetime unknown, used until refused.
		{"exp only, in the past", func(f *authFake) string {
			return `{"bearer":"` + testkit.JWTAt(time.Time{}, time.Now().Add(-time.Hour)) + `"}`
		}},
		{"not a JWT", func(f *authFake) string { return `{"bearer":"opaque-token-value"}` }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newAuthFake(t)
			f.login = func(int) (int, string) { return http.StatusOK, tt.token(f) }
			c, clock := newAuthClient(t, srv, testAPIKey)
			for range 10 {
				require.NoError(t, get(c))
				clock.Advance(time.Minute)
			}
			logins, refreshes, calls := f.counts()
			assert.Equal(t, 1, logins)
			assert.Equal(t, 0, refreshes)
			assert.Equal(t, 10, calls)
		})
	}
}

func TestUnauthorizedReLoginOnce(t *testing.T) {
	f, srv := newAuthFake(t)
	f.api = func(_ string, n int) int {
		if n == 1 {
			return http.StatusUnauthorized // the first bearer was revoked
		}
		return http.StatusOK
	}
	c, _ := newAuthClient(t, srv, testAPIKey)
	require.NoError(t, get(c))
	logins, _, calls := f.counts()
	assert.Equal(t, 2, logins)
	assert.Equal(t, 2, calls, "the call is repeated once")
	f.mu.Lock()
	assert.NotEqual(t, f.bearers[0], f.bearers[1])
	f.mu.Unlock()
}

func TestSecondUnauthorizedIsError(t *testing.T) {
	f, srv := newAuthFake(t)
	f.api = func(string, int) int { return http.StatusUnauthorized }
	c, _ := newAuthClient(t, srv, testAPIKey)
	err := get(c)
	require.ErrorIs(t, err, ErrUnauthorized)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	logins, _, calls := f.counts()
	assert.Equal(t, 2, logins)
	assert.Equal(t, 2, calls)
}

func TestConcurrentUnauthorizedOneReLogin(t *testing.T) {
	f, srv := newAuthFake(t)
	var first atomic.Value
	f.api = func(bearer string, _ int) int {
		first.CompareAndSwap(nil, bearer)
		if bearer == first.Load() {
			return http.StatusUnauthorized
		}
		return http.StatusOK
	}
	c, _ := newAuthClient(t, srv, testAPIKey)
	require.NoError(t, get(c)) // logs in twice: the first bearer is refused
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, get(c))
		}()
	}
	wg.Wait()
	logins, _, _ := f.counts()
	assert.Equal(t, 2, logins)
}

func TestBadKeyOneLoginAttempt(t *testing.T) {
	f, srv := newAuthFake(t)
	c, _ := newAuthClient(t, srv, "live_WRONG_KEY_123", WithMaxRetries(2))
	err := get(c)
	require.ErrorIs(t, err, ErrUnauthorized)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	logins, _, calls := f.counts()
	assert.Equal(t, 1, logins, "a refused key is not retried")
	assert.Equal(t, 0, calls)
}

func TestLoginFailures(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		want       []error
		wantLogins int
	}{
		{"422 counts as refused", http.StatusUnprocessableEntity, `{"message":"The given data was invalid.","errors":{"api_key":["The api key is invalid."]}}`,
			[]error{ErrUnauthorized, ErrInvalidParams}, 1},
		{"403", http.StatusForbidden, `{"message":"Forbidden"}`, []error{ErrUnauthorized}, 1},
		{"garbage", http.StatusOK, `<html>login page</html>`, []error{ErrMalformedResponse}, 1},
		{"empty bearer", http.StatusOK, `{"bearer":""}`, []error{ErrMalformedResponse}, 1},
		{"null", http.StatusOK, `null`, []error{ErrMalformedResponse}, 1},
		{"truncated", http.StatusOK, `{"bearer":"eyJhbGciOi`, []error{ErrMalformedResponse}, 1},
		{"500 is not repeated (POST)", http.StatusInternalServerError, `{"message":"2FA Service error."}`, []error{ErrServiceUnavailable}, 1},
		{"429 is not repeated (POST)", http.StatusTooManyRequests, `{"message":"Too many duplicate request detected"}`, []error{ErrRateLimited}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newAuthFake(t)
			f.login = func(int) (int, string) { return tt.status, tt.body }
			c, _ := newAuthClient(t, srv, testAPIKey)
			err := get(c)
			for _, want := range tt.want {
				assert.ErrorIs(t, err, want)
			}
			assert.NotContains(t, err.Error(), "eyJhbGciOi", "token answers are never quoted")
			logins, _, calls := f.counts()
			assert.Equal(t, tt.wantLogins, logins)
			assert.Equal(t, 0, calls)
		})
	}
}

func TestLoginRateLimitedThenSucceeds(t *testing.T) {
	f, srv := newAuthFake(t)
	ok := f.login
	f.login = func(n int) (int, string) {
		if n == 1 {
			return http.StatusTooManyRequests, `{"message":"Too many duplicate request detected"}`
		}
		return ok(n)
	}
	c, _ := newAuthClient(t, srv, testAPIKey)
	// The login is a POST: not repeated after a 429 within the call; the next call logs in.
	require.ErrorIs(t, get(c), ErrRateLimited)
	require.NoError(t, get(c))
	logins, _, _ := f.counts()
	assert.Equal(t, 2, logins)
}

func TestWithToken(t *testing.T) {
	t.Run("used as is, no login", func(t *testing.T) {
		f, srv := newAuthFake(t)
		c, _ := newAuthClient(t, srv, "", WithToken("given-bearer"))
		require.NoError(t, get(c))
		logins, _, _ := f.counts()
		assert.Equal(t, 0, logins)
		assert.Equal(t, []string{"Bearer given-bearer"}, f.bearers)
	})
	t.Run("refused without a key", func(t *testing.T) {
		f, srv := newAuthFake(t)
		f.api = func(string, int) int { return http.StatusUnauthorized }
		c, _ := newAuthClient(t, srv, "", WithToken("given-bearer"))
		err := get(c)
		require.ErrorIs(t, err, ErrUnauthorized)
		logins, _, calls := f.counts()
		assert.Equal(t, 0, logins)
		assert.Equal(t, 1, calls)
	})
	t.Run("refused with a key: log in", func(t *testing.T) {
		f, srv := newAuthFake(t)
		f.api = func(bearer string, _ int) int {
			if bearer == "Bearer given-bearer" {
				return http.StatusUnauthorized
			}
			return http.StatusOK
		}
		c, _ := newAuthClient(t, srv, testAPIKey, WithToken("given-bearer"))
		require.NoError(t, get(c))
		logins, _, calls := f.counts()
		assert.Equal(t, 1, logins)
		assert.Equal(t, 2, calls)
	})
	t.Run("expiring bearer is refreshed", func(t *testing.T) {
		f, srv := newAuthFake(t)
		bearer := testkit.JWTAt(time.Now().Add(-50*time.Minute), time.Now().Add(10*time.Minute))
		c, clock := newAuthClient(t, srv, "", WithToken(bearer))
		require.NoError(t, get(c))
		clock.Advance(9 * time.Minute)
		require.NoError(t, get(c))
		logins, refreshes, _ := f.counts()
		assert.Equal(t, 0, logins)
		assert.Equal(t, 1, refreshes)
	})
}

func TestNewToken(t *testing.T) {
	sent := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		bearer        string
		fresh         bool
		wantExpiresAt time.Time
		wantRefreshAt time.Time
	}{
		{"iat and exp, fresh", testkit.JWTAt(sent.Add(-7*time.Hour), sent.Add(-6*time.Hour)), true,
			sent.Add(time.Hour), sent.Add(48 * time.Minute)},
		{"iat and exp, from elsewhere", testkit.JWTAt(sent.Add(-50*time.Minute), sent.Add(10*time.Minute)), false,
			sent.Add(10 * time.Minute), sent.Add(8 * time.Minute)},
		{"exp only", testkit.JWTAt(time.Time{}, sent.Add(time.Hour)), true, sent.Add(time.Hour), sent.Add(48 * time.Minute)},
		{"exp only, past", testkit.JWTAt(time.Time{}, sent.Add(-time.Hour)), true, time.Time{}, time.Time{}},
		{"exp before iat", testkit.JWTAt(sent, sent.Add(-time.Hour)), true, time.Time{}, time.Time{}},
		{"opaque", "opaque", true, time.Time{}, time.Time{}},
		{"bad base64", "a.!!!.c", true, time.Time{}, time.Time{}},
		{"bad json", "a.bm90IGpzb24.c", true, time.Time{}, time.Time{}},
		{"string claims", "a.eyJleHAiOiJzb29uIn0.c", true, time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := newToken(tt.bearer, sent, tt.fresh)
			assert.Equal(t, tt.wantExpiresAt, tok.expiresAt)
			assert.Equal(t, tt.wantRefreshAt, tok.refreshAt)
		})
	}
}
