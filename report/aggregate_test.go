package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/wrapper"
)

func price(t *testing.T, s string) wrapper.Price {
	t.Helper()
	p, err := wrapper.ParsePrice(s)
	require.NoError(t, err)
	return p
}

// TestAggregatorCurrencies sums each currency apart and exactly, takes a message's currency
// from its session when it names none, and keeps statuses it does not know.
func TestAggregatorCurrencies(t *testing.T) {
	day := time.Date(2026, 11, 5, 23, 59, 59, 0, time.UTC)
	g := newAggregator([]Dimension{Country}, DefaultMaxPrefixes)
	sessions := []wrapper.Authentication{
		{Recipient: "380501110001", CountryCode: "UA", Status: wrapper.StatusVerified, Price: price(t, "0,1"), Currency: "EUR",
			CreatedAt: day, FinishedAt: day.Add(40 * time.Second),
			Messages: []wrapper.Message{{Price: price(t, "0.2"), Currency: "EUR"}, {Price: price(t, "0.0000001")}}},
		{Recipient: "380501110002", CountryCode: "UA", Status: wrapper.StatusVerified, Price: price(t, "0.2"), Currency: "USD",
			CreatedAt: day, FinishedAt: day.Add(5 * time.Second),
			Messages: []wrapper.Message{{Price: price(t, "0.1"), Currency: "USD"}}},
		{Recipient: "4915100000001", CountryCode: "DE", Status: "archived", Currency: "USD", CreatedAt: day.Add(-time.Hour),
			Messages: []wrapper.Message{{Price: price(t, "0.7"), Currency: "AAA"}}},
	}
	for i := range sessions {
		g.add(&sessions[i])
	}
	rep := g.report(SuspectRule{}.withDefaults())
	require.Len(t, rep.Rows, 2)
	de, ua := rep.Rows[0], rep.Rows[1]
	assert.Equal(t, "DE", de.Country)
	assert.Equal(t, Statuses{Other: 1}, de.Statuses)
	_, ok := de.Conversion()
	assert.False(t, ok, "nothing finished")
	assert.Equal(t, "0.7 AAA, 0 USD", de.Spend.String())

	assert.Equal(t, Statuses{Verified: 2}, ua.Statuses)
	assert.Equal(t, "0.1 EUR, 0.2 USD", ua.SessionSpend.String())
	assert.Equal(t, "0.2000001 EUR, 0.1 USD", ua.MessageSpend.String())
	assert.Equal(t, "0.3000001 EUR, 0.3 USD", ua.Spend.String(), "0.1 + 0.2 is 0.3, exactly")
	assert.Equal(t, Durations{Count: 2, P50: 5 * time.Second, P90: 41 * time.Second}, ua.VerifyTime,
		"40 s is in the bucket [40 s, 42 s), read as its middle")

	assert.Equal(t, "0.7 AAA, 0.3000001 EUR, 0.3 USD", rep.Total.Spend.String())
	assert.Equal(t, []string{"AAA", "EUR", "USD"}, rep.Total.Spend.Currencies())
	assert.Equal(t, 4, rep.Total.Messages)
	require.Len(t, rep.Days, 1)
	assert.Equal(t, time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC), rep.Days[0].Day, "23:59:59 is still the 5th")
}

// TestAggregatorMaxPrefixes stops following new groups of numbers at the bound and counts
// what it could not follow; the rows still count every session.
func TestAggregatorMaxPrefixes(t *testing.T) {
	g := newAggregator(nil, 3)
	for i := range 10 {
		a := wrapper.Authentication{Recipient: "38050" + string(rune('0'+i)) + "000000", CountryCode: "UA", Status: wrapper.StatusExpired}
		g.add(&a)
	}
	assert.Len(t, g.prefixes.groups, 3)
	rep := g.report(SuspectRule{MinSessions: 1, Rate: 0.5})
	assert.Equal(t, 7, rep.UntrackedPrefixSessions)
	assert.Equal(t, 10, rep.Total.Sessions)
	assert.Len(t, rep.Suspects, 1+3, "the country and the three groups followed")
}

func TestPrefixOf(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"380501234567", "38050123", true},
		{"123456789", "12345", true},
		{"12345678", "", false},
		{"", "", false},
	} {
		got, ok := prefixOf(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.want, got.String(), tc.in)
	}
}

func TestMoneyAddKeepsOrder(t *testing.T) {
	var m Money
	for _, c := range []string{"USD", "EUR", "", "UAH", "EUR", "AAA"} {
		m = m.add(c, price(t, "1.5"))
	}
	assert.Equal(t, []string{"", "AAA", "EUR", "UAH", "USD"}, m.Currencies())
	assert.Equal(t, "3", m.In("EUR").String())
	assert.True(t, m.In("GBP").IsZero())
	assert.Equal(t, "0", Money(nil).String())
}

// TestHistogramBuckets: every value falls in the bucket whose range holds it, and the
// buckets tile the line without gaps.
func TestHistogramBuckets(t *testing.T) {
	prevHi := int64(0)
	for i := range numBuckets {
		lo, hi := bucketRange(i)
		require.Equal(t, prevHi, lo, "bucket %d starts where %d ends", i, i-1)
		require.Less(t, lo, hi)
		require.Equal(t, i, bucketOf(lo))
		require.Equal(t, i, bucketOf(hi-1))
		if i < exactBelow {
			assert.Equal(t, int64(1), hi-lo)
		} else {
			assert.LessOrEqual(t, float64(hi-lo)/float64(lo), 1.0/subBuckets, "bucket %d is too wide", i)
		}
		prevHi = hi
	}
	assert.Equal(t, numBuckets-1, bucketOf(math.MaxInt64))
	assert.Equal(t, 0, bucketOf(-5))
}

// TestHistogramQuantiles compares the quantiles with those of the sorted values: equal below
// 32 s, within half a bucket (1/32) above.
func TestHistogramQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, spread := range []int64{30, 300, 86_400} {
		var h histogram
		vals := make([]int64, 5000)
		for i := range vals {
			vals[i] = rng.Int64N(spread)
			h.add(vals[i])
		}
		slices.Sort(vals)
		for _, q := range []float64{0.5, 0.9, 0.99} {
			exact := vals[int(math.Ceil(q*float64(len(vals))))-1]
			got := h.quantile(q) / time.Second
			if exact < exactBelow {
				assert.Equal(t, exact, int64(got), "q%v of [0,%d)", q, spread)
			} else {
				assert.InEpsilon(t, float64(exact), float64(got), 1.0/32+1e-9, "q%v of [0,%d)", q, spread)
			}
		}
	}
	var empty *histogram
	assert.Equal(t, Durations{}, empty.durations())
}

func TestProgressRemaining(t *testing.T) {
	p := Progress{Pages: 2, Sessions: 1000, Total: 4000, Elapsed: 2 * time.Second}
	assert.InDelta(t, 500.0, p.Rate(), 1e-9)
	left, ok := p.Remaining()
	assert.True(t, ok)
	assert.Equal(t, 6*time.Second, left)
	_, ok = Progress{Sessions: 10, Elapsed: time.Second}.Remaining()
	assert.False(t, ok, "no total yet")
	_, ok = Progress{Total: 10}.Remaining()
	assert.False(t, ok, "no rate yet")
}

// TestPrefixGroupsSpend keeps a group's first currency inline and the others aside, and
// gives the whole spend back.
func TestPrefixGroupsSpend(t *testing.T) {
	g := newAggregator(nil, DefaultMaxPrefixes)
	for _, a := range []wrapper.Authentication{
		{Recipient: "4915100000001", CountryCode: "DE", Status: wrapper.StatusExpired, Currency: "EUR",
			Messages: []wrapper.Message{{Price: price(t, "0.05")}, {Price: price(t, "0.01"), Currency: "USD"}}},
		{Recipient: "4915100000002", CountryCode: "DE", Status: wrapper.StatusExpired, Currency: "EUR", Price: price(t, "0"),
			Messages: []wrapper.Message{{Price: price(t, "0.05"), Currency: "EUR"}}},
		{Recipient: "4915100000003", CountryCode: "DE", Status: wrapper.StatusVerified, Currency: "UAH", Price: price(t, "1,5")},
	} {
		g.add(&a)
	}
	rep := g.report(SuspectRule{MinSessions: 3, Rate: 0.5})
	require.Len(t, rep.Suspects, 2)
	p := rep.Suspects[1]
	assert.Equal(t, Suspect{Kind: SuspectPrefix, Country: "DE", Prefix: "491510000", Sessions: 3, Verified: 1, Messages: 3,
		Spend: Money{{"EUR", price(t, "0.1")}, {"UAH", price(t, "1.5")}, {"USD", price(t, "0.01")}}}, p)
	assert.Equal(t, rep.Suspects[0].Spend, p.Spend, "the country spent the same")
}
