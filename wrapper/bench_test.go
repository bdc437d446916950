package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/gen"
	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// The benchmarks here measure the wrapper against a floor written by hand in this file: plain
// net/http and encoding/json into plain structs, with the same http.Client settings as the
// wrapper's default. Sub-benchmarks are named impl=raw, impl=gen and impl=wrapper so that
// `benchstat -col /impl` puts them side by side and gives the ratios against raw.

// benchStatusBody is the documentation page's "check authentication status" answer: one session
// with one message.
const benchStatusBody = `{"data":{"id":"ea5db413-e368-4952-b745-cc2030210c49","recipient":"380501403813","status":"verified",
"channel":"sms","sender":"testsms","sender_alt":"string",
"message_text":"Your BSG 2FA confirmation code is {code}. Do not share this with anyone else.",
"code_lifetime":30,"code_max_tries":5,"code_digits":6,"price":50.25,"currency":"EUR","country_code":"FR",
"expired_at":"2022-04-28 14:21:16","created_at":"2022-04-28 14:21:16","updated_at":"2022-04-28 14:21:16",
"finished_at":"2022-04-28 14:21:16","messages":[{"id":"1ed32701-5d4f-6cfa-ba06-9db3aa8bab68",
"recipient":"61401629754","status":"accepted","channel":"sms","sender":"SENDER","price":0.0642918,
"currency":"EUR","sent_at":"2022-04-18 11:00:30","created_at":"2022-04-18 10:55:35"}]}}`

// benchSendBody is the documentation page's answer to a send, as the service writes it
// (price as a string with a decimal comma).
const benchSendBody = `{"data":{"id":"bf4381c8-9d4a-4705-bd28-f89a830b7f96","recipient":"380979965073","status":"pending",
"channel":"sms","sender":"SENDER","sender_alt":"SENDER_ALT","message_text":"Your verification code: {code}",
"code_lifetime":300,"code_max_tries":3,"code_digits":5,"price":"0,02","currency":"USD","country_code":"UA",
"expired_at":"2023-01-04 18:37:06","created_at":"2023-01-04 17:37:06","finished_at":null}}`

// benchListItem is one session of the documentation page's list example.
const benchListItem = `{"id":"ea5db413-e368-4952-b745-cc2030210c49","recipient":"380501403813","status":"verified",
"channel":"sms","sender":"testsms","sender_alt":"string",
"message_text":"Your BSG 2FA confirmation code is {code}. Do not share this with anyone else.",
"code_lifetime":30,"code_max_tries":5,"code_digits":6,"price":50.25,"currency":"EUR","country_code":"FR",
"expired_at":"2022-04-28 14:21:16","created_at":"2022-04-28 14:21:16","updated_at":"2022-04-28 14:21:16",
"finished_at":"2022-04-28 14:21:16","messages":[{"id":"1ed32701-5d4f-6cfa-ba06-9db3aa8bab68",
"recipient":"61401629754","status":"accepted","channel":"sms","sender":"SENDER","price":0.0642918,
"currency":"EUR","sent_at":"2022-04-18 11:00:30","created_at":"2022-04-18 10:55:35"}]}`

// benchListBody returns a list page of n copies of the documented session.
func benchListBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"data":{"list":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(benchListItem)
	}
	b.WriteString(`],"total":` + strconv.Itoa(n) + `}}`)
	return []byte(b.String())
}

// rawMessage and rawAuthentication are what a hand-written client would decode into: plain
// fields, the price as a float, timestamps left as strings.
type rawMessage struct {
	ID        string  `json:"id"`
	Recipient string  `json:"recipient"`
	Status    string  `json:"status"`
	Channel   string  `json:"channel"`
	Sender    string  `json:"sender"`
	Price     float64 `json:"price"`
	Currency  string  `json:"currency"`
	SentAt    string  `json:"sent_at"`
	CreatedAt string  `json:"created_at"`
}

type rawAuthentication struct {
	ID           string       `json:"id"`
	Recipient    string       `json:"recipient"`
	Status       string       `json:"status"`
	Channel      string       `json:"channel"`
	Sender       string       `json:"sender"`
	SenderAlt    string       `json:"sender_alt"`
	MessageText  string       `json:"message_text"`
	CodeLifetime int          `json:"code_lifetime"`
	CodeMaxTries int          `json:"code_max_tries"`
	CodeDigits   int          `json:"code_digits"`
	Price        float64      `json:"price"`
	Currency     string       `json:"currency"`
	CountryCode  string       `json:"country_code"`
	ExpiredAt    string       `json:"expired_at"`
	CreatedAt    string       `json:"created_at"`
	UpdatedAt    string       `json:"updated_at"`
	FinishedAt   string       `json:"finished_at"`
	Messages     []rawMessage `json:"messages"`
}

type rawList struct {
	Data struct {
		List  []rawAuthentication `json:"list"`
		Total int                 `json:"total"`
	} `json:"data"`
}

// rawGetAuthentication is the floor: one GET by hand, the bearer set, the body decoded.
func rawGetAuthentication(ctx context.Context, hc *http.Client, base, authorization, id string) (*rawAuthentication, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/2fa/authentications/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", authorization)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New("status " + resp.Status)
	}
	var out struct {
		Data rawAuthentication `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return &out.Data, nil
}

// benchJWT is a bearer the wrapper accepts for an hour: it reads exp and iat, never the signature.
func benchJWT() string {
	now := time.Now()
	return testkit.JWTAt(now, now.Add(time.Hour))
}

// benchServer answers login, send, verify and get with the documented bodies, and refuses
// every other call without a bearer, so every client measured must send one.
func benchServer(tb testing.TB, conns *atomic.Int64) *httptest.Server {
	tb.Helper()
	bearer := benchJWT()
	answer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") == "" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"bearer":"` + bearer + `"}`))
	})
	mux.HandleFunc("GET /api/2fa/authentications/{id}", answer(http.StatusOK, benchStatusBody))
	mux.HandleFunc("POST /api/2fa/authentications/otp", answer(http.StatusCreated, benchSendBody))
	mux.HandleFunc("POST /api/2fa/authentications/otp/{id}/verify", answer(http.StatusOK, benchStatusBody))
	srv := httptest.NewUnstartedServer(mux)
	if conns != nil {
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
	}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv
}

// benchClient is a wrapper client against srv that has already logged in.
func benchClient(tb testing.TB, srv *httptest.Server) *Client {
	tb.Helper()
	c, err := New(testAPIKey, WithBaseURL(srv.URL))
	require.NoError(tb, err)
	_, err = c.GetAuthentication(context.Background(), statusID)
	require.NoError(tb, err)
	tb.Cleanup(c.httpClient.CloseIdleConnections)
	return c
}

// cpuMeter reports the process's CPU time per operation as cpu-ns/op, alongside sec/op.
type cpuMeter struct{ start time.Duration }

func startCPU() cpuMeter { return cpuMeter{ProcessCPUForTest()} }

func (m cpuMeter) report(b *testing.B) {
	if used := ProcessCPUForTest() - m.start; used > 0 && b.N > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// benchClients are the two kinds of http.Client a wrapper is used with: its own default
// (which has a Timeout, and so a timer and a cancelable context on every exchange) and a
// caller's plain client given with WithHTTPClient. Raw and gen use a client of the same kind,
// so each ratio compares like with like.
var benchClients = []struct {
	name string
	make func() *http.Client
}{
	{name: "default", make: func() *http.Client { return defaultHTTPClient(DefaultTimeout) }},
	{name: "caller", make: func() *http.Client {
		return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: maxConnsPerHost}}
	}},
}

// benchImpls returns the three ways of reading one session measured side by side, each with
// its own http.Client made by mk, already connected.
func benchImpls(b *testing.B, srv *httptest.Server, mk func() *http.Client, id string) [3]func() error {
	ctx := context.Background()
	authorization := "Bearer " + benchJWT()
	rawHC, genHC, wrapperHC := mk(), mk(), mk()
	for _, hc := range []*http.Client{rawHC, genHC, wrapperHC} {
		b.Cleanup(hc.CloseIdleConnections)
	}
	gc, err := gen.NewClientWithResponses(srv.URL, gen.WithHTTPClient(genHC),
		gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", authorization)
			return nil
		}))
	require.NoError(b, err)
	c, err := New(testAPIKey, WithBaseURL(srv.URL), WithHTTPClient(wrapperHC))
	require.NoError(b, err)
	impls := [3]func() error{
		func() error {
			a, err := rawGetAuthentication(ctx, rawHC, srv.URL, authorization, id)
			if err == nil && a.ID != id {
				err = errors.New("wrong session")
			}
			return err
		},
		func() error {
			resp, err := gc.GetAuthenticationWithResponse(ctx, id)
			if err == nil && (resp.JSON200 == nil || resp.JSON200.Data.Id != id) {
				err = errors.New("wrong session")
			}
			return err
		},
		func() error {
			a, err := c.GetAuthentication(ctx, id)
			if err == nil && a.ID != id {
				err = errors.New("wrong session")
			}
			return err
		},
	}
	for _, call := range impls {
		require.NoError(b, call()) // log in and open each one's connection before measuring
	}
	return impls
}

func BenchmarkGetAuthentication(b *testing.B) {
	const id = "ea5db413-e368-4952-b745-cc2030210c49"
	srv := benchServer(b, nil)
	for _, hc := range benchClients {
		for i, impl := range []string{"raw", "gen", "wrapper"} {
			b.Run("client="+hc.name+"/impl="+impl, func(b *testing.B) {
				call := benchImpls(b, srv, hc.make, id)[i]
				b.ReportAllocs()
				cpu := startCPU()
				for b.Loop() {
					if err := call(); err != nil {
						b.Fatal(err)
					}
				}
				cpu.report(b)
			})
		}
	}
}

// BenchmarkGetAuthenticationPaired makes raw, gen and wrapper calls in turn, rotating which goes
// first, and reports each one's time per call and the ratios against raw. On a machine
// shared with other work the load changes from second to second; calls made side by side
// feel it alike, so these ratios hold where those of separate benchmarks scatter.
func BenchmarkGetAuthenticationPaired(b *testing.B) {
	const id = "ea5db413-e368-4952-b745-cc2030210c49"
	srv := benchServer(b, nil)
	for _, hc := range benchClients {
		b.Run("client="+hc.name, func(b *testing.B) {
			calls := benchImpls(b, srv, hc.make, id)
			var spent [3]time.Duration
			n := 0
			for b.Loop() {
				for j := range 3 {
					k := (n + j) % 3
					start := time.Now()
					if err := calls[k](); err != nil {
						b.Fatal(err)
					}
					spent[k] += time.Since(start)
				}
				n++
			}
			b.ReportMetric(float64(spent[0].Nanoseconds())/float64(n), "raw-ns/call")
			b.ReportMetric(float64(spent[1].Nanoseconds())/float64(n), "gen-ns/call")
			b.ReportMetric(float64(spent[2].Nanoseconds())/float64(n), "wrapper-ns/call")
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "gen/raw")
			b.ReportMetric(float64(spent[2])/float64(spent[0]), "wrapper/raw")
		})
	}
}

func BenchmarkSendOTP(b *testing.B) {
	ctx := context.Background()
	c := benchClient(b, benchServer(b, nil))
	req := SendOTPRequest{Recipient: "+380 97 996 5073", Channel: ChannelSMS, Sender: "SENDER", TemplateID: 1}
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		if _, err := c.SendOTP(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

func BenchmarkVerifyOTP(b *testing.B) {
	ctx := context.Background()
	c := benchClient(b, benchServer(b, nil))
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		if _, err := c.VerifyOTP(ctx, "ea5db413-e368-4952-b745-cc2030210c49", "123456"); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// BenchmarkDecodeList500 decodes one page of 500 sessions from bytes: raw into plain structs,
// wrapper through gen's model and the mapping to the wrapper's types, as
// ListAuthenticationsPage does once gen has read the body.
func BenchmarkDecodeList500(b *testing.B) {
	body := benchListBody(500)
	b.Run("impl=raw", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			var out rawList
			if err := json.Unmarshal(body, &out); err != nil || len(out.Data.List) != 500 {
				b.Fatal(err)
			}
		}
		cpu.report(b)
	})
	b.Run("impl=wrapper", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			items, err := decodeAuthenticationList(body)
			if err != nil || len(items) != 500 {
				b.Fatal(err)
			}
		}
		cpu.report(b)
	})
}

// decodeAuthenticationList is the wrapper's decoding of a list answer: gen's
// ParseListAuthenticationsResponse unmarshals the body into gen's model, and
// listAuthentications maps it.
func decodeAuthenticationList(body []byte) ([]Authentication, error) {
	var g gen.AuthenticationListResponse
	if err := json.Unmarshal(body, &g); err != nil {
		return nil, err
	}
	return toAuthentications(g.Data.List)
}

func TestDecodeList500MatchesRaw(t *testing.T) {
	body := benchListBody(500)
	items, err := decodeAuthenticationList(body)
	require.NoError(t, err)
	var raw rawList
	require.NoError(t, json.Unmarshal(body, &raw))
	require.Len(t, items, len(raw.Data.List))
	for i, r := range raw.Data.List {
		a := items[i]
		assert.Equal(t, r.ID, a.ID)
		assert.Equal(t, r.Price, a.Price.Float64())
		assert.Equal(t, r.FinishedAt, a.FinishedAt.Format(time.DateTime))
		require.Len(t, a.Messages, 1)
		assert.Equal(t, r.Messages[0].ID, a.Messages[0].ID)
		assert.Equal(t, "0.0642918", a.Messages[0].Price.String())
	}
}

func BenchmarkParsePrice(b *testing.B) {
	for _, in := range []string{"0,02", "50.25", "0.0642918"} {
		b.Run("in="+in, func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				if _, err := ParsePrice(in); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b)
		})
	}
}

// TestManyCallersFewConnections: 64 goroutines making 100 calls each share the client's
// connections instead of opening new ones (a transport keeping the standard 2 idle connections
// per host opens thousands). Counting StateNew on the server sees every TCP connection
// accepted. The budget is fewer than 100; the transport's cap makes it at most 64 unless
// net/http gives up on a connection, which takes a request write stalled for 50 ms.
func TestManyCallersFewConnections(t *testing.T) {
	var conns atomic.Int64
	srv := benchServer(t, &conns)
	c := benchClient(t, srv)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 64 {
		wg.Go(func() {
			for range 100 {
				if _, err := c.GetAuthentication(context.Background(), statusID); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Zero(t, failed.Load())
	assert.Less(t, conns.Load(), int64(100))
	t.Logf("64×100 calls opened %d connections (cap %d)", conns.Load(), maxConnsPerHost)
}
