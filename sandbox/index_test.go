package sandbox

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/gen"
	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// TestCreatedIndexMatchesSortedSlice checks the treap against a sorted slice under random
// inserts (times going backwards too) and removals: ranks, ranges in both directions, sizes.
func TestCreatedIndexMatchesSortedSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 20))
	var x createdIndex
	var want []*session
	for i := range 4000 {
		if len(want) > 0 && rng.IntN(3) == 0 {
			a := want[rng.IntN(len(want))]
			x.remove(a)
			want = slices.DeleteFunc(want, func(b *session) bool { return b == a })
		} else {
			a := &session{id: strconv.Itoa(i), seq: uint64(i), created: testkit.Epoch.Add(time.Duration(rng.IntN(500)) * time.Second)}
			x.insert(a)
			want = append(want, a)
			slices.SortFunc(want, func(a, b *session) int {
				if createdBefore(a, b) {
					return -1
				}
				return 1
			})
		}
		require.Equal(t, len(want), x.len())
		if i%50 != 0 {
			continue
		}
		at := testkit.Epoch.Add(time.Duration(rng.IntN(520)) * time.Second)
		r := slices.IndexFunc(want, func(a *session) bool { return !a.created.Before(at) })
		if r < 0 {
			r = len(want)
		}
		require.Equal(t, r, x.rank(at))
		lo := rng.IntN(len(want) + 1)
		hi := lo + rng.IntN(len(want)-lo+1)
		for _, desc := range []bool{false, true} {
			got := []*session{}
			x.walk(lo, hi, desc, func(a *session) bool { got = append(got, a); return true })
			exp := slices.Clone(want[lo:hi])
			if desc {
				slices.Reverse(exp)
			}
			require.Equal(t, exp, got)
		}
	}
}

// TestListMatchesBruteForce checks list pages read from the index against the sessions
// filtered and sorted the slow way, for the default order and the others.
func TestListMatchesBruteForce(t *testing.T) {
	clock := testkit.NewClock()
	s := New(WithClock(clock.Now), WithRand(rand.NewChaCha8([32]byte{4})))
	bearer := loginTo(t, s)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		id := sendFor(t, s, bearer, 300)
		if i%7 == 0 {
			call(t, s, bearer, http.MethodPost, "/api/2fa/authentications/"+id+"/cancel", "")
		}
		// Mostly forwards, sometimes several in the same second, sometimes backwards.
		clock.Advance(time.Duration(rng.IntN(900)-100) * time.Millisecond)
	}
	day := testkit.Epoch.Format("2006-01-02")
	minute := func(m int) string {
		return testkit.Epoch.Add(time.Duration(m) * time.Minute).Format("2006-01-02T15:04:05")
	}
	canceled := gen.AuthenticationStatusCanceled
	tests := []struct {
		name          string
		from, to      string
		way           gen.SortWay
		sort          gen.ListAuthenticationsParamsSort
		offset, limit int
		status        *gen.AuthenticationStatus
	}{
		{name: "default", from: day, to: day},
		{name: "desc", from: day, to: day, way: gen.SortWayDesc},
		{name: "middle page", from: day, to: day, offset: 37, limit: 25},
		{name: "middle page desc", from: day, to: day, offset: 37, limit: 25, way: gen.SortWayDesc},
		{name: "last", from: day, to: day, offset: 299},
		{name: "past the end", from: day, to: day, offset: 300},
		{name: "past the end desc", from: day, to: day, offset: 310, way: gen.SortWayDesc},
		{name: "short last page desc", from: day, to: day, offset: 290, limit: 50, way: gen.SortWayDesc},
		{name: "created_at desc", from: day, to: day, sort: gen.ListAuthenticationsParamsSortCreatedAt, way: gen.SortWayDesc},
		{name: "status filter", from: day, to: day, status: &canceled, limit: 100},
		{name: "sort by id", from: day, to: day, sort: gen.ListAuthenticationsParamsSortId, limit: 100},
		{name: "a minute", from: minute(1), to: minute(2), limit: 100},
		{name: "a minute desc", from: minute(1), to: minute(2), limit: 100, way: gen.SortWayDesc},
		{name: "empty range", from: minute(2), to: minute(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"filter[from]": {tt.from}, "filter[to]": {tt.to}}
			if tt.way != "" {
				q.Set("way", string(tt.way))
			}
			if tt.sort != "" {
				q.Set("sort", string(tt.sort))
			}
			if tt.offset != 0 {
				q.Set("page[offset]", strconv.Itoa(tt.offset))
			}
			if tt.limit != 0 {
				q.Set("page[limit]", strconv.Itoa(tt.limit))
			}
			if tt.status != nil {
				q.Set("filter[status]", string(*tt.status))
			}
			status, body := call(t, s, bearer, http.MethodGet, "/api/2fa/authentications?"+q.Encode(), "")
			require.Equal(t, http.StatusOK, status, body)
			var got struct {
				Data struct {
					List  []struct{ ID string }
					Total int
				}
			}
			require.NoError(t, json.Unmarshal([]byte(body), &got))

			from, _ := parseBound(tt.from, false)
			to, _ := parseBound(tt.to, true)
			s.mu.Lock()
			var all []*session
			for _, a := range s.sessions {
				c := a.created.Truncate(time.Second)
				if !c.Before(from) && !c.After(to) && (tt.status == nil || a.status == *tt.status) {
					all = append(all, a)
				}
			}
			s.mu.Unlock()
			slices.SortFunc(all, authCompare(tt.sort, tt.way == gen.SortWayDesc))
			var want []string
			for _, a := range pageOf(all, tt.offset, tt.limit) {
				want = append(want, a.id)
			}
			var ids []string
			for _, a := range got.Data.List {
				ids = append(ids, a.ID)
			}
			assert.Equal(t, len(all), got.Data.Total)
			assert.Equal(t, want, ids)
		})
	}
}

// TestListHugeOffset: offsets beyond the sessions held answer an empty page, never a
// wrapped-around one. The handler is called directly: validation would refuse nothing here.
func TestListHugeOffset(t *testing.T) {
	s := New(WithClock(testkit.NewClock().Now))
	bearer := loginTo(t, s)
	sendFor(t, s, bearer, 300)
	day := testkit.Epoch.Format("2006-01-02")
	for _, tt := range []struct {
		offset int
		way    gen.SortWay
	}{
		{offset: math.MaxInt, way: gen.SortWayAsc},
		{offset: math.MaxInt, way: gen.SortWayDesc},
		{offset: math.MaxInt - 1, way: gen.SortWayAsc},
	} {
		limit := 500
		params := gen.ListAuthenticationsParams{FilterFrom: day, FilterTo: day, PageOffset: &tt.offset, PageLimit: &limit, Way: &tt.way}
		resp, err := (&handlers{s: s}).ListAuthentications(t.Context(), gen.ListAuthenticationsRequestObject{Params: params})
		require.NoError(t, err)
		got := resp.(gen.ListAuthentications200JSONResponse)
		assert.Empty(t, got.Data.List, "%+v", tt)
		assert.Equal(t, 1, got.Data.Total)
	}
}
