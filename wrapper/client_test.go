package wrapper

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// testAPIKey is the key every test client logs in with; tests check it never leaks.
const testAPIKey = "live_SECRETKEY_4f9a2c7e1b3d"

// Documented bodies (the documentation page's examples, made valid JSON where its text is not).
const (
	sendBody = `{"data":{"id":"bf4381c8-9d4a-4705-bd28-f89a830b7f96","recipient":"380979965073","status":"pending",
"channel":"sms","sender":"SENDER","sender_alt":"SENDER_ALT","message_text":"Your verification code: {code}",
"code_lifetime":300,"code_max_tries":3,"code_digits":5,"price":"0,02","currency":"USD","country_code":"UA",
"expired_at":"2023-01-04 18:37:06","created_at":"2023-01-04 17:37:06","finished_at":null}}`

	canceledBody = `{"data":{"id":"bf4381c8-9d4a-4705-bd28-f89a830b7f96","recipient":"380979965073","status":"canceled",
"channel":"sms","sender":"SENDER","sender_alt":"SENDER_ALT","message_text":"Your verification code: {code}",
"code_lifetime":300,"code_max_tries":3,"code_digits":5,"price":"0,02","currency":"USD","country_code":"UA",
"expired_at":"2023-01-04 18:37:06","created_at":"2023-01-04 17:37:06","finished_at":"2023-01-04 17:37:06"}}`

	statusBody = `{"data":{"id":"ea5db413-e368-4952-b745-cc2030210c49","recipient":"380501403813","status":"verified",
"channel":"sms","sender":"testsms","sender_alt":"string",
"message_text":"Your BSG 2FA confirmation code is {code}. Do not share this with anyone else.",
"code_lifetime":30,"code_max_tries":5,"code_digits":6,"price":50.25,"currency":"EUR","country_code":"FR",
"expired_at":"2022-04-28 14:21:16","created_at":"2022-04-28 14:21:16","updated_at":"2022-04-28 14:21:16",
"finished_at":"2022-04-28 14:21:16","messages":[{"id":"1ed32701-5d4f-6cfa-ba06-9db3aa8bab68",
"recipient":"61401629754","status":"accepted","channel":"sms","sender":"SENDER","price":0.0642918,
"currency":"EUR","sent_at":"2022-04-18 11:00:30","created_at":"2022-04-18 10:55:35"}]}}`

	templateBody = `{"data":{"template_id":515,"name":"template name","text":"test code is {code2fa}",
"countries":["AD","IT","PT","UA"],"status":"requested","updated_at":"2023-06-30 14:52:58"}}`

	templateListBody = `{"data":[{"template_id":"49","name":"Default","text":"Your code: {code2fa}","countries":[],
"status":"approved","updated_at":"2023-06-20 10:00:00"},{"template_id":515,"name":"template name",
"text":"test code is {code2fa}","countries":["AD","IT","PT","UA"],"status":"requested",
"updated_at":"2023-06-30 14:52:58"}],"total":2}`

	deleteBody = `{"data":{"status":"Successfully removed"}}`
)

// authenticationJSON is one session of a list, with the given id.
func authenticationJSON(id string) string {
	return `{"id":"` + id + `","recipient":"380501403813","status":"verified","channel":"sms","sender":"testsms",
"sender_alt":null,"code_lifetime":30,"code_max_tries":5,"code_digits":6,"price":50.25,"currency":"EUR",
"country_code":"FR","expired_at":"2022-04-28 14:21:16","created_at":"2022-04-28 14:21:16","finished_at":null}`
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// fastRetries makes the backoff of c take milliseconds.
func fastRetries(c *Client) {
	c.retry.base = time.Millisecond
	c.retry.max = 2 * time.Millisecond
	c.jitter = func() float64 { return 0.5 }
}

// setup starts a fake service whose login and refresh hand out one-hour bearers, and a client
// that uses it with fast retries. Tests add their handlers to the mux.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *httptest.Server) {
	t.Helper()
	mux := http.NewServeMux()
	issue := func(w http.ResponseWriter, _ *http.Request) {
		now := time.Now()
		writeJSON(w, http.StatusOK, `{"bearer":"`+testkit.JWTAt(now, now.Add(time.Hour))+`"}`)
	}
	mux.HandleFunc("POST /api/auth/login", issue)
	mux.HandleFunc("POST /api/auth/refresh", issue)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(testAPIKey, append([]Option{WithBaseURL(srv.URL)}, opts...)...)
	require.NoError(t, err)
	fastRetries(c)
	return c, mux, srv
}

// counter counts the requests a handler sees.
func counter(n *atomic.Int32, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		apiKey  string
		opts    []Option
		wantErr bool
	}{
		{"defaults", "key", nil, false},
		{"token only", "", []Option{WithToken("abc.def.ghi")}, false},
		{"no credentials", "", nil, true},
		{"blank key", "   ", nil, true},
		{"key with newline", "key\n", nil, true},
		{"empty token", "", []Option{WithToken("")}, true},
		{"https base", "key", []Option{WithBaseURL("https://example.com/prefix/")}, false},
		{"http loopback v4", "key", []Option{WithBaseURL("http://127.0.0.1:8080")}, false},
		{"http loopback 127/8", "key", []Option{WithBaseURL("http://127.3.2.1")}, false},
		{"http loopback v6", "key", []Option{WithBaseURL("http://[::1]:9000")}, false},
		{"http localhost", "key", []Option{WithBaseURL("http://localhost:9000")}, false},
		{"http remote", "key", []Option{WithBaseURL("http://one-api.bsg.world")}, true},
		{"http private address", "key", []Option{WithBaseURL("http://10.0.0.1")}, true},
		{"ftp", "key", []Option{WithBaseURL("ftp://example.com")}, true},
		{"no host", "key", []Option{WithBaseURL("https://")}, true},
		{"relative", "key", []Option{WithBaseURL("/api")}, true},
		{"user info", "key", []Option{WithBaseURL("https://u:p@example.com")}, true},
		{"query", "key", []Option{WithBaseURL("https://example.com/?a=b")}, true},
		{"bad url", "key", []Option{WithBaseURL("https://exa mple.com/%zz")}, true},
		{"nil http client", "key", []Option{WithHTTPClient(nil)}, true},
		{"http client", "key", []Option{WithHTTPClient(&http.Client{})}, false},
		{"timeout with http client", "key", []Option{WithHTTPClient(&http.Client{}), WithTimeout(time.Second)}, true},
		{"timeout", "key", []Option{WithTimeout(time.Second)}, false},
		{"zero timeout", "key", []Option{WithTimeout(0)}, true},
		{"nil logger", "key", []Option{WithLogger(nil)}, true},
		{"negative retries", "key", []Option{WithMaxRetries(-1)}, true},
		{"too many retries", "key", []Option{WithMaxRetries(11)}, true},
		{"no retries", "key", []Option{WithMaxRetries(0)}, false},
		{"empty user agent", "key", []Option{WithUserAgent(" ")}, true},
		{"user agent with newline", "key", []Option{WithUserAgent("a\r\nX-Evil: 1")}, true},
		{"user agent", "key", []Option{WithUserAgent("shop/1.0")}, false},
		{"negative retry-after cap", "key", []Option{WithRetryAfterCap(-time.Second)}, true},
		{"zero retry-after cap", "key", []Option{WithRetryAfterCap(0)}, false},
		{"zero body limit", "key", []Option{WithMaxResponseBytes(0)}, true},
		{"body limit", "key", []Option{WithMaxResponseBytes(1 << 10)}, false},
		{"zero option", "key", []Option{{}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.apiKey, tt.opts...)
			if tt.wantErr {
				require.Error(t, err)
				assert.Nil(t, c)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, c)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New("key")
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL+"/", c.server)
	assert.Equal(t, DefaultMaxRetries, c.retry.maxRetries)
	assert.Equal(t, DefaultRetryAfterCap, c.retry.retryAfterCap)
	assert.Equal(t, int64(DefaultMaxResponseBytes), c.maxBytes)
	assert.Equal(t, "bsg2fa-go/"+Version, c.userAgent)
	assert.Equal(t, DefaultTimeout, c.httpClient.Timeout)
	tr, ok := c.httpClient.Transport.(*http.Transport)
	require.True(t, ok)
	assert.NotSame(t, http.DefaultTransport, tr)
	assert.GreaterOrEqual(t, tr.MaxIdleConnsPerHost, 64, "concurrent callers must not churn connections")

	c, err = New("key", WithBaseURL("https://example.com/prefix/"))
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/prefix/", c.server)
}

func TestUserAgentAndHeaders(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []Option
		want string
	}{
		{"default", nil, "bsg2fa-go/" + Version},
		{"custom", []Option{WithUserAgent("shop/2.1")}, "shop/2.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t, tt.opts...)
			var ua, auth string
			mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
				ua, auth = r.UserAgent(), r.Header.Get("Authorization")
				writeJSON(w, http.StatusOK, statusBody)
			})
			_, err := c.GetAuthentication(context.Background(), statusID)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ua)
			assert.True(t, strings.HasPrefix(auth, "Bearer ey"), "bearer header")
		})
	}
}

func TestBaseURLPrefixKept(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /prefix/api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, statusBody)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := New("", WithToken("opaque-bearer"), WithBaseURL(srv.URL+"/prefix"))
	require.NoError(t, err)
	a, err := c.GetAuthentication(context.Background(), statusID)
	require.NoError(t, err)
	assert.Equal(t, "ea5db413-e368-4952-b745-cc2030210c49", a.ID)
}

func TestConcurrentCallersReuseConnections(t *testing.T) {
	var conns atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/login", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"bearer":"`+testkit.JWTAt(time.Now(), time.Now().Add(time.Hour))+`"}`)
	})
	mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, statusBody)
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := New(testAPIKey, WithBaseURL(srv.URL))
	require.NoError(t, err)

	// 64 callers at once: the transport opens at most its cap of connections (more only if
	// net/http drops one, which takes a stalled write), and keeps every one of them idle for
	// the next calls.
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				_, err := c.GetAuthentication(context.Background(), statusID)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	afterBurst := conns.Load()
	assert.Less(t, afterBurst, int32(100), "connections per host are capped at %d", maxConnsPerHost)

	// Sequential calls after the burst find an idle connection every time: none is dialled.
	for range 100 {
		_, err := c.GetAuthentication(context.Background(), statusID)
		require.NoError(t, err)
	}
	assert.Equal(t, afterBurst, conns.Load(), "idle connections are kept for later callers")
}
