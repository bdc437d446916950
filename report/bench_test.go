package report_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/report"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// inProcess hands requests straight to a handler: the sandbox without sockets.
type inProcess struct{ h http.Handler }

func (p inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

const benchSessions = 100_000

// bigSandbox is a sandbox holding benchSessions sessions over 23 days, made once per process:
// 4 in 7 verified, the others canceled or left to expire.
var bigSandbox = sync.OnceValues(func() (*wrapper.Client, error) {
	e := startEnv()
	e.close() // the loopback server is not needed: requests go in process
	client, err := wrapper.New("report-bench-key", wrapper.WithBaseURL("http://127.0.0.1"),
		wrapper.WithHTTPClient(&http.Client{Transport: inProcess{e.sb}}))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	e.clock.Set(first)
	for i := range benchSessions {
		e.clock.Advance(20 * time.Second)
		c := syntheticCountries[i%len(syntheticCountries)]
		a, err := client.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: c.base + "1" + pad12(i)[6:], Channel: wrapper.ChannelSMS,
			Sender: "Shop", TemplateID: 1, CodeLifetime: 30 * time.Second})
		if err != nil {
			return nil, err
		}
		switch i % 7 {
		case 0, 1, 2, 3:
			code, _ := e.sb.LastCode(a.ID)
			_, err = client.VerifyOTP(ctx, a.ID, code)
		case 4:
			_, err = client.CancelOTP(ctx, a.ID)
		}
		if err != nil {
			return nil, err
		}
	}
	return client, nil
})

func benchRequest() report.Request {
	return report.Request{From: first, To: first.AddDate(0, 0, 30), By: []report.Dimension{report.Day, report.Country}}
}

// BenchmarkReport100k compares, in one run, the whole Build over 100,000 sessions of the
// in-process sandbox (stage=build) with the report's own aggregation of the same sessions
// already decoded (stage=aggregate): the share of the report in the time a user waits.
func BenchmarkReport100k(b *testing.B) {
	client, err := bigSandbox()
	require.NoError(b, err)
	b.Run("stage=build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rep, err := report.Build(context.Background(), client, benchRequest())
			require.NoError(b, err)
			require.Equal(b, benchSessions, rep.Total.Sessions)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchSessions, "ns/session")
	})
	b.Run("stage=aggregate", func(b *testing.B) {
		var pages [][]wrapper.Authentication
		for page, err := range client.AuthenticationPages(context.Background(), wrapper.ListAuthenticationsRequest{
			From: first, To: first.AddDate(0, 0, 30), Limit: report.PageSize, SortBy: "created_at"}) {
			require.NoError(b, err)
			pages = append(pages, page.Items)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			rep := report.AggregateForTest(pages, benchRequest())
			require.Equal(b, benchSessions, rep.Total.Sessions)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchSessions, "ns/session")
	})
}

// BenchmarkBuildFromBytes builds reports on synthetic periods decoded from bytes, with no
// network and no server, and reports the most heap a build added to what the process held
// before it (other benchmarks of the run may hold a large sandbox).
func BenchmarkBuildFromBytes(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run("sessions="+strconv.Itoa(n), func(b *testing.B) {
			s := &synthetic{total: n}
			client := syntheticClient(b, s)
			req := report.Request{From: first, To: first.AddDate(0, 0, syntheticDays-1), By: []report.Dimension{report.Day, report.Country, report.Channel}}
			var peak uint64
			b.ReportAllocs()
			for b.Loop() {
				runtime.GC()
				heap := watchHeap()
				req.Progress = func(report.Progress) { heap.sample() }
				rep, err := report.Build(context.Background(), client, req)
				top, base := heap.stop()
				peak = max(peak, top-min(base, top))
				require.NoError(b, err)
				require.Equal(b, n, rep.Total.Sessions)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/session")
		})
	}
}
