package report_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/report"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// shared is the scenario, made once for the tests that only read it: making the sessions is
// the slow part. TestMain closes its server.
var shared struct {
	sync.Mutex
	e     *env
	plans []planned
}

// scenarioEnv returns the shared scenario, making it on first use.
func scenarioEnv(t *testing.T) (*env, []planned) {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.e == nil {
		e, plans := startEnv(), plan()
		e.run(t, plans)
		shared.e, shared.plans = e, plans
	}
	return shared.e, shared.plans
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.e != nil {
		shared.e.close()
	}
	os.Exit(code)
}

func period() report.Request {
	return report.Request{From: first, To: first.AddDate(0, 0, scenarioDays-1)}
}

// keyString is a row's key as keyOf writes it.
func keyString(k report.Key, by []report.Dimension) string {
	parts := make([]string, 0, len(by))
	for _, d := range by {
		switch d {
		case report.Day:
			parts = append(parts, k.Day.Format(time.DateOnly))
		case report.Country:
			parts = append(parts, k.Country)
		case report.Channel:
			parts = append(parts, string(k.Channel))
		}
	}
	return strings.Join(parts, "|")
}

func dims(by []report.Dimension) []string {
	out := make([]string, len(by))
	for i, d := range by {
		out[i] = string(d)
	}
	return out
}

// checkStats compares the report's statistics of a group with the test's own account.
func checkStats(t *testing.T, label string, w *want, s report.Stats) {
	t.Helper()
	assert.Equal(t, w.sessions, s.Sessions, "%s sessions", label)
	assert.Equal(t, report.Statuses{Pending: w.pending, Verified: w.verified, Expired: w.expired, Failed: w.failed, Canceled: w.cancels}, s.Statuses, "%s statuses", label)
	assert.Equal(t, w.messages, s.Messages, "%s messages", label)
	assert.Equal(t, units(w.sessionUnits), s.SessionSpend.In("USD").String(), "%s session spend", label)
	assert.Equal(t, units(w.messageUnits), s.MessageSpend.In("USD").String(), "%s message spend", label)
	assert.Equal(t, units(w.sessionUnits+w.messageUnits), s.Spend.In("USD").String(), "%s spend", label)
	assert.Equal(t, []string{"USD"}, s.Spend.Currencies(), "%s currencies", label)
	finished := w.verified + w.expired + w.failed + w.cancels
	conv, ok := s.Conversion()
	assert.Equal(t, finished > 0, ok, "%s conversion known", label)
	if finished > 0 {
		assert.InDelta(t, float64(w.verified)/float64(finished), conv, 1e-12, "%s conversion", label)
	}
	all, ok := s.ConversionAll()
	assert.True(t, ok, label)
	assert.InDelta(t, float64(w.verified)/float64(w.sessions), all, 1e-12, "%s conversion of all", label)
	assert.Equal(t, len(w.verifySecs), s.VerifyTime.Count, "%s verify count", label)
	if len(w.verifySecs) > 0 {
		// Every verify time of the scenario is below 32 s, where the histogram is exact.
		assert.Equal(t, time.Duration(w.quantile(0.5))*time.Second, s.VerifyTime.P50, "%s p50", label)
		assert.Equal(t, time.Duration(w.quantile(0.9))*time.Second, s.VerifyTime.P90, "%s p90", label)
	}
}

// TestBuildCountsEveryGroup builds the report by every dimension and pair against the
// scenario and checks each row, the total, the per-day and per-country series and the
// suspects against the test's own account of the sessions it made.
func TestBuildCountsEveryGroup(t *testing.T) {
	e, plans := scenarioEnv(t)
	groupings := [][]report.Dimension{
		nil,
		{report.Day}, {report.Country}, {report.Channel},
		{report.Day, report.Country}, {report.Country, report.Channel}, {report.Channel, report.Day},
		{report.Day, report.Country, report.Channel},
	}
	total := group(plans, nil)[""]
	for _, by := range groupings {
		t.Run(strings.Join(dims(by), ","), func(t *testing.T) {
			req := period()
			req.By = by
			var progress []report.Progress
			req.Progress = func(p report.Progress) { progress = append(progress, p) }
			rep, err := report.Build(t.Context(), e.client, req)
			require.NoError(t, err)

			wantRows := group(plans, dims(by))
			require.Len(t, rep.Rows, len(wantRows))
			seen := map[string]bool{}
			for i, r := range rep.Rows {
				k := keyString(r.Key, by)
				w, ok := wantRows[k]
				require.True(t, ok, "unexpected row %q", k)
				require.False(t, seen[k], "row %q twice", k)
				seen[k] = true
				checkStats(t, k, w, r.Stats)
				if i > 0 {
					assert.Less(t, keyString(rep.Rows[i-1].Key, by), k, "rows in order")
				}
				// A row carries only the dimensions it is grouped by.
				assert.Equal(t, containsDim(by, report.Day), !r.Day.IsZero(), k)
				assert.Equal(t, containsDim(by, report.Country), r.Country != "", k)
				assert.Equal(t, containsDim(by, report.Channel), r.Channel != "", k)
			}
			checkStats(t, "total", total, rep.Total)
			assert.Equal(t, first, rep.From)
			assert.Equal(t, first.AddDate(0, 0, scenarioDays-1), rep.To)
			assert.Equal(t, 1, rep.Pages)
			require.Len(t, progress, 1)
			assert.Equal(t, report.Progress{Pages: 1, Sessions: len(plans), Total: len(plans), Elapsed: progress[0].Elapsed}, progress[0])

			days := group(plans, []string{"day"})
			require.Len(t, rep.Days, scenarioDays)
			for _, r := range rep.Days {
				checkStats(t, "day "+r.Day.Format(time.DateOnly), days[r.Day.Format(time.DateOnly)], r.Stats)
			}
			byCountry := group(plans, []string{"country"})
			require.Len(t, rep.Countries, len(byCountry))
			for _, r := range rep.Countries {
				checkStats(t, "country "+r.Country, byCountry[r.Country], r.Stats)
			}
			checkSuspects(t, plans, rep)
		})
	}
}

func containsDim(by []report.Dimension, d report.Dimension) bool {
	for _, b := range by {
		if b == d {
			return true
		}
	}
	return false
}

// checkSuspects works out the suspects from the plan, by the default rule, and compares.
func checkSuspects(t *testing.T, plans []planned, rep *report.Report) {
	t.Helper()
	type group struct {
		kind              report.SuspectKind
		country, prefix   string
		sessions, ok, msg int
		units             int64
	}
	groups := map[string]*group{}
	for _, p := range plans {
		for _, k := range []struct {
			kind   report.SuspectKind
			prefix string
		}{{report.SuspectCountry, ""}, {report.SuspectPrefix, p.recipient[:len(p.recipient)-4]}} {
			id := string(k.kind) + "/" + p.country + "/" + k.prefix
			if groups[id] == nil {
				groups[id] = &group{kind: k.kind, country: p.country, prefix: k.prefix}
			}
			g := groups[id]
			g.sessions++
			g.msg += p.messages()
			g.units += p.sessionUnits() + p.messageUnits()
			if p.status() == wrapper.StatusVerified {
				g.ok++
			}
		}
	}
	want := map[string]*group{}
	for id, g := range groups {
		if g.sessions >= 20 && float64(g.ok)/float64(g.sessions) < 0.2 {
			want[id] = g
		}
	}
	// The scenario is built so that exactly the pumped range and its country are suspects.
	require.Len(t, want, 2)
	require.Len(t, rep.Suspects, len(want))
	assert.Equal(t, report.SuspectRule{MinSessions: 20, Rate: 0.2}, rep.SuspectRule)
	assert.Equal(t, report.SuspectCountry, rep.Suspects[0].Kind, "countries first")
	for _, s := range rep.Suspects {
		g, ok := want[string(s.Kind)+"/"+s.Country+"/"+s.Prefix]
		require.True(t, ok, "unexpected suspect %+v", s)
		assert.Equal(t, g.sessions, s.Sessions)
		assert.Equal(t, g.ok, s.Verified)
		assert.Equal(t, g.msg, s.Messages)
		assert.Equal(t, units(g.units), s.Spend.In("USD").String())
		assert.InDelta(t, float64(g.ok)/float64(g.sessions), s.Conversion(), 1e-12)
	}
	assert.Equal(t, "234803000xxxx", rep.Suspects[1].Numbers())
}

// TestBuildSuspectRule lowers the rule until the near misses count too.
func TestBuildSuspectRule(t *testing.T) {
	e, _ := scenarioEnv(t)
	req := period()
	req.Suspects = report.SuspectRule{MinSessions: 19, Rate: 0.21}
	rep, err := report.Build(t.Context(), e.client, req)
	require.NoError(t, err)
	var got []string
	for _, s := range rep.Suspects {
		got = append(got, string(s.Kind)+" "+s.Country+" "+s.Prefix)
	}
	assert.Contains(t, got, "prefix DE 49176555", "19 sessions now meet the rule")
	assert.Contains(t, got, "prefix GB 44791111", "20 % is now below 21 %")
	assert.Contains(t, got, "prefix NG 234803000")
}

// TestBuildPages walks several pages of 500, in order, and counts every session once.
func TestBuildPages(t *testing.T) {
	e := newEnv(t)
	const n = 1203
	plans := make([]planned, n)
	for i := range plans {
		o := verified
		if i%3 == 0 {
			o = canceled
		}
		plans[i] = planned{day: i % 2, country: "UA", recipient: "38067" + strings.Repeat("0", 3) + itoa4(i), channel: wrapper.ChannelSMS, outcome: o, delay: i % 20}
	}
	// One slot per session does not fit a day; these need no time apart.
	e.runFast(t, plans)
	req := period()
	req.By = []report.Dimension{report.Day}
	var pages []report.Progress
	req.Progress = func(p report.Progress) { pages = append(pages, p) }
	rep, err := report.Build(t.Context(), e.client, req)
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Pages)
	require.Len(t, pages, 3)
	for i, p := range pages {
		assert.Equal(t, i+1, p.Pages)
		assert.Equal(t, min(500*(i+1), n), p.Sessions)
		assert.Equal(t, n, p.Total)
	}
	left, ok := pages[2].Remaining()
	assert.True(t, ok)
	assert.Zero(t, left)
	checkStats(t, "total", group(plans, nil)[""], rep.Total)
	for _, r := range rep.Rows {
		checkStats(t, r.Day.Format(time.DateOnly), group(plans, []string{"day"})[r.Day.Format(time.DateOnly)], r.Stats)
	}
}

func itoa4(i int) string { return fmt.Sprintf("%04d", i) }

// runFast makes verified and canceled sessions only, each day's at the same second.
func (e *env) runFast(t *testing.T, plans []planned) {
	t.Helper()
	ctx := context.Background()
	for _, p := range plans {
		e.clock.Set(first.AddDate(0, 0, p.day).Add(2 * time.Hour))
		a, err := e.client.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: p.recipient, Channel: p.channel, Sender: "Shop", TemplateID: 1})
		require.NoError(t, err)
		switch p.outcome {
		case verified:
			code, _ := e.sb.LastCode(a.ID)
			e.clock.Advance(time.Duration(p.delay) * time.Second)
			_, err = e.client.VerifyOTP(ctx, a.ID, code)
		case canceled:
			_, err = e.client.CancelOTP(ctx, a.ID)
		default:
			t.Fatalf("runFast makes no %v session", p.outcome)
		}
		require.NoError(t, err)
	}
}

// failAfter serves the sandbox but answers the list request number n (from 1) with fail.
type failAfter struct {
	next  http.Handler
	n     int32
	lists atomic.Int32
	fail  func(w http.ResponseWriter)
}

func (f *failAfter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/2fa/authentications" && r.Method == http.MethodGet {
		if f.lists.Add(1) == f.n {
			f.fail(w)
			return
		}
	}
	f.next.ServeHTTP(w, r)
}

// TestBuildStopsMidway: a request that fails on the third page, and a context canceled after
// the first, end the walk with an error that says how far it got.
func TestBuildStopsMidway(t *testing.T) {
	e := newEnv(t)
	plans := make([]planned, 1203)
	for i := range plans {
		plans[i] = planned{country: "UA", recipient: "38063" + "000" + itoa4(i), channel: wrapper.ChannelViber, outcome: canceled}
	}
	e.runFast(t, plans)

	t.Run("request fails", func(t *testing.T) {
		h := &failAfter{next: e.sb, n: 3, fail: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"message":"Forbidden"}`))
		}}
		ts := httptest.NewServer(h)
		t.Cleanup(ts.Close)
		client, err := wrapper.New("report-test-key", wrapper.WithBaseURL(ts.URL))
		require.NoError(t, err)
		rep, err := report.Build(t.Context(), client, period())
		require.Error(t, err)
		assert.Nil(t, rep)
		var inc *report.IncompleteError
		require.ErrorAs(t, err, &inc)
		assert.Equal(t, report.IncompleteError{Pages: 2, Sessions: 1000, Total: 1203, Err: inc.Err}, *inc)
		var apiErr *wrapper.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusForbidden, apiErr.StatusCode)
		assert.Contains(t, err.Error(), "report: stopped after 2 pages (1000 of 1203 sessions): ")
	})
	t.Run("context canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		req := period()
		req.Progress = func(p report.Progress) {
			if p.Pages == 1 {
				cancel()
			}
		}
		rep, err := report.Build(ctx, e.client, req)
		assert.Nil(t, rep)
		require.ErrorIs(t, err, context.Canceled)
		var inc *report.IncompleteError
		require.ErrorAs(t, err, &inc)
		assert.Equal(t, 1, inc.Pages)
		assert.Equal(t, 500, inc.Sessions)
		assert.Equal(t, "report: stopped after 1 page (500 of 1203 sessions): context canceled", err.Error())
	})
}

// TestBuildRefusesBadRequests before any request is made.
func TestBuildRefusesBadRequests(t *testing.T) {
	var requests atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1) }))
	t.Cleanup(ts.Close)
	client, err := wrapper.New("report-test-key", wrapper.WithBaseURL(ts.URL))
	require.NoError(t, err)
	day := first
	for _, tc := range []struct {
		name string
		req  report.Request
	}{
		{name: "no from", req: report.Request{To: day}},
		{name: "no to", req: report.Request{From: day}},
		{name: "to before from", req: report.Request{From: day, To: day.AddDate(0, 0, -1)}},
		{name: "unknown dimension", req: report.Request{From: day, To: day, By: []report.Dimension{"week"}}},
		{name: "dimension twice", req: report.Request{From: day, To: day, By: []report.Dimension{report.Day, report.Day}}},
	} {
		_, err := report.Build(t.Context(), client, tc.req)
		assert.ErrorIs(t, err, report.ErrInvalidRequest, tc.name)
	}
	_, err = report.Build(t.Context(), nil, report.Request{From: day, To: day})
	assert.ErrorIs(t, err, report.ErrInvalidRequest)
	assert.Zero(t, requests.Load())
}

func TestParseDimensions(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []report.Dimension
		err  bool
	}{
		{in: "day", want: []report.Dimension{report.Day}},
		{in: "Country, channel", want: []report.Dimension{report.Country, report.Channel}},
		{in: "day,country,channel", want: []report.Dimension{report.Day, report.Country, report.Channel}},
		{in: "", want: nil},
		{in: "day,day", err: true},
		{in: "week", err: true},
	} {
		got, err := report.ParseDimensions(tc.in)
		if tc.err {
			assert.ErrorIs(t, err, report.ErrInvalidRequest, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}
