package wrapper_test

// End-to-end tests of listing sessions (harness: e2e_harness_test.go).

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

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
			got := e2eWalk(t, e.c.ListAuthentications(ctx, tt.req), tt.stop, func(a wrapper.Authentication) string { return a.ID })
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
