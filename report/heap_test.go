//go:build !race

package report_test

// The race detector makes decoding a million sessions take minutes and changes what the heap
// holds; `make test` runs this file in a run of its own without it.

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/report"
)

// heapLimit is what a report over any number of sessions may take at most.
const heapLimit = 50 << 20

// TestHeapBoundMillion reports on 1,000,000 sessions decoded from bytes and keeps the heap
// under 50 MiB all the way: memory follows the rows, never the sessions. The figures it
// reaches are checked against the test's own count of the synthetic period.
func TestHeapBoundMillion(t *testing.T) {
	const n = 1_000_000
	s := &synthetic{total: n}
	client := syntheticClient(t, s)
	req := report.Request{From: first, To: first.AddDate(0, 0, syntheticDays-1), By: []report.Dimension{report.Day, report.Country, report.Channel}}

	runtime.GC()
	heap := watchHeap()
	req.Progress = func(report.Progress) { heap.sample() }
	start := time.Now()
	rep, err := report.Build(context.Background(), client, req)
	elapsed := time.Since(start)
	peak, base := heap.stop()
	require.NoError(t, err)
	t.Logf("%d sessions, %d pages, %d rows: %v, peak HeapAlloc %.1f MiB (%.1f MiB before the build)",
		rep.Total.Sessions, rep.Pages, len(rep.Rows), elapsed.Round(time.Millisecond), float64(peak)/(1<<20), float64(base)/(1<<20))
	assert.Less(t, peak, uint64(heapLimit), "peak HeapAlloc, whatever else the process holds")

	// The test's own count, from the definition of the sessions.
	var verified, messages int
	var days = map[string]int{}
	groups, untracked := map[string]bool{}, 0
	for i := range n {
		ss := s.session(i)
		if g := ss.recipient[:len(ss.recipient)-4]; !groups[g] && len(groups) == report.DefaultMaxPrefixes {
			untracked++
		} else {
			groups[g] = true
		}
		if ss.status == "verified" {
			verified++
		}
		messages += ss.messages
		days[ss.created.Format(time.DateOnly)]++
	}
	assert.Equal(t, n, rep.Total.Sessions)
	assert.Equal(t, verified, rep.Total.Statuses.Verified)
	assert.Equal(t, messages, rep.Total.Messages)
	assert.Equal(t, units(int64(verified)*verifiedUnits), rep.Total.SessionSpend.In("USD").String())
	assert.Equal(t, units(int64(messages)*messageUnits), rep.Total.MessageSpend.In("USD").String())
	assert.Equal(t, n/report.PageSize, rep.Pages)
	assert.Equal(t, int64(rep.Pages), s.pages.Load())
	require.Len(t, rep.Days, len(days))
	for _, d := range rep.Days {
		assert.Equal(t, days[d.Day.Format(time.DateOnly)], d.Sessions)
	}
	assert.Len(t, rep.Rows, syntheticDays*len(syntheticCountries)*2)
	assert.Empty(t, rep.Suspects, "every group of numbers converts at 4/7, or has one session")
	// 250,000 scattered numbers make 250,000 groups: the report follows the first 100,000 it
	// meets and counts the sessions of the others.
	assert.Equal(t, untracked, rep.UntrackedPrefixSessions)
}
