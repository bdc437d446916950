package report

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// Dimension is something the rows of a report are grouped by.
type Dimension string

// The dimensions a report groups by.
const (
	Day     Dimension = "day"     // the UTC day the session was created
	Country Dimension = "country" // the recipient's country, as the service reports it
	Channel Dimension = "channel" // sms or viber
)

// ErrInvalidRequest is wrapped by every error Build and ParseDimensions return for a Request
// that cannot be run.
var ErrInvalidRequest = errors.New("report: invalid request")

// ParseDimensions reads a comma-separated list of dimensions ("day", "country,channel"),
// each at most once.
func ParseDimensions(s string) ([]Dimension, error) {
	var dims []Dimension
	for _, part := range strings.Split(s, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		dims = append(dims, Dimension(part))
	}
	if err := checkDimensions(dims); err != nil {
		return nil, err
	}
	return dims, nil
}

func checkDimensions(dims []Dimension) error {
	seen := map[Dimension]bool{}
	for _, d := range dims {
		switch d {
		case Day, Country, Channel:
		default:
			return fmt.Errorf("%w: unknown dimension %q (want day, country or channel)", ErrInvalidRequest, string(d))
		}
		if seen[d] {
			return fmt.Errorf("%w: dimension %q given twice", ErrInvalidRequest, string(d))
		}
		seen[d] = true
	}
	return nil
}

// Defaults of SuspectRule: the same signal the verify guard's MinConversion uses.
const (
	DefaultSuspectMinSessions = 20
	DefaultSuspectRate        = 0.2
)

// DefaultMaxPrefixes is how many groups of numbers (see Request.MaxPrefixes) Build follows
// unless told otherwise.
const DefaultMaxPrefixes = 100_000

// SuspectRule says which countries and groups of numbers are suspects: those with at least
// MinSessions sessions of which less than Rate were verified.
type SuspectRule struct {
	MinSessions int     // zero means DefaultSuspectMinSessions
	Rate        float64 // zero means DefaultSuspectRate
}

func (r SuspectRule) withDefaults() SuspectRule {
	if r.MinSessions <= 0 {
		r.MinSessions = DefaultSuspectMinSessions
	}
	if r.Rate <= 0 {
		r.Rate = DefaultSuspectRate
	}
	return r
}

// Request is what Build reports on.
type Request struct {
	// From and To are the first and the last day of the period, both included, as UTC dates;
	// the time of day is ignored. Both are required, From <= To.
	From, To time.Time
	// By lists what the rows are grouped by, each dimension at most once. None gives a single
	// row, the total.
	By []Dimension
	// Suspects is the rule for suspects; the zero value is the defaults (20 sessions, 0.2).
	Suspects SuspectRule
	// MaxPrefixes bounds how many groups of numbers (all digits but the last 4) are followed
	// for suspects, about 75 bytes each, so that a period of scattered numbers cannot grow the
	// memory without bound; the first groups met are followed, and sessions to further groups
	// still count everywhere else. Zero means DefaultMaxPrefixes.
	MaxPrefixes int
	// Progress, when set, is called after every page with how far the walk has got.
	Progress func(Progress)
}

// Progress is how far Build has got.
type Progress struct {
	Pages    int           // pages read
	Sessions int           // sessions read
	Total    int           // sessions in the period, as the service reports it; 0 until the first page
	Elapsed  time.Duration // since Build started
}

// Rate is the sessions read per second so far.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Sessions) / p.Elapsed.Seconds()
}

// Remaining estimates the time left at the rate so far; ok is false until it can be known.
func (p Progress) Remaining() (left time.Duration, ok bool) {
	rate := p.Rate()
	if p.Total <= 0 || rate <= 0 {
		return 0, false
	}
	if p.Sessions >= p.Total {
		return 0, true
	}
	return time.Duration(float64(p.Total-p.Sessions) / rate * float64(time.Second)), true
}

// IncompleteError is a report that stopped before the end: the context was canceled or a
// request failed. It says how far the walk got; errors.Is and errors.As see Err through it.
type IncompleteError struct {
	Pages    int // pages read completely
	Sessions int // sessions read
	Total    int // sessions in the period as the service last reported it; 0 when unknown
	Err      error
}

func (e *IncompleteError) Error() string {
	of := ""
	if e.Total > 0 {
		of = fmt.Sprintf(" of %d", e.Total)
	}
	return fmt.Sprintf("report: stopped after %d %s (%d%s sessions): %v", e.Pages, plural(e.Pages, "page"), e.Sessions, of, e.Err)
}

func (e *IncompleteError) Unwrap() error { return e.Err }

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// Report is the cost and conversion of one-time passwords over a period.
type Report struct {
	From, To time.Time   // the period's first and last day, midnight UTC
	By       []Dimension // what Rows are grouped by
	Rows     []Row       // sorted by the dimensions in the order of By
	Total    Stats       // every session of the period
	// Days and Countries are the period per day and per country, whatever By is: the charts
	// of the HTML form are drawn from them.
	Days      []Row
	Countries []Row
	// Suspects are the countries and groups of numbers that meet SuspectRule, countries first,
	// each kind by sessions, most first.
	Suspects    []Suspect
	SuspectRule SuspectRule // the rule applied, defaults filled in
	// UntrackedPrefixSessions counts sessions whose group of numbers was not followed because
	// MaxPrefixes groups were followed already; it is 0 in all but extreme periods.
	UntrackedPrefixSessions int
	Pages                   int // pages read from the service
}

// Key names a row: the parts of it the report is not grouped by are zero.
type Key struct {
	Day     time.Time       // midnight UTC of the day; zero when not grouped by day
	Country string          // ISO 3166-1 alpha-2, as the service reports it
	Channel wrapper.Channel // sms, viber
}

// Row is the statistics of one group of sessions.
type Row struct {
	Key
	Stats
}

// Stats is what a group of sessions did and cost.
type Stats struct {
	Sessions int
	Statuses Statuses
	Messages int // messages sent: first sends and resends
	// SessionSpend is the sum of the sessions' own prices (the service charges a verified
	// session, without its messages), MessageSpend the sum of the prices of their messages,
	// and Spend both together. Each holds one Amount per currency.
	SessionSpend Money
	MessageSpend Money
	Spend        Money
	// VerifyTime is how long verified sessions took from the send to the verification.
	VerifyTime Durations
}

// Conversion is the share of finished sessions that were verified; ok is false when none
// finished.
func (s Stats) Conversion() (rate float64, ok bool) {
	return ratio(s.Statuses.Verified, s.Statuses.Finished())
}

// ConversionAll is the share of all sessions that were verified, pending ones included; ok
// is false when there were none.
func (s Stats) ConversionAll() (rate float64, ok bool) {
	return ratio(s.Statuses.Verified, s.Sessions)
}

func ratio(n, d int) (float64, bool) {
	if d == 0 {
		return 0, false
	}
	return float64(n) / float64(d), true
}

// Statuses counts sessions by status.
type Statuses struct {
	Pending, Verified, Expired, Failed, Canceled int
	Other                                        int // statuses the service may add later
}

// Finished is the number of sessions that have ended: verified, expired, failed or canceled.
func (s Statuses) Finished() int { return s.Verified + s.Expired + s.Failed + s.Canceled }

// Durations summarises a distribution of durations. The quantiles come from a histogram
// that is exact below 32s and within 1/32 (half a bucket) above.
type Durations struct {
	Count    int // how many durations were measured
	P50, P90 time.Duration
}

// Amount is a sum of money in one currency.
type Amount struct {
	Currency string // as the service writes it, "USD"; "" when it names none
	Value    wrapper.Price
}

// Money is sums of money in several currencies: one Amount per currency, sorted by currency.
type Money []Amount

// In returns the amount in currency, zero when there is none.
func (m Money) In(currency string) wrapper.Price {
	for _, a := range m {
		if a.Currency == currency {
			return a.Value
		}
	}
	return wrapper.Price{}
}

// Currencies lists the currencies held, sorted.
func (m Money) Currencies() []string {
	out := make([]string, len(m))
	for i, a := range m {
		out[i] = a.Currency
	}
	return out
}

// String writes the amounts as "0.02 USD, 1.5 EUR", "0" when there are none.
func (m Money) String() string {
	if len(m) == 0 {
		return "0"
	}
	parts := make([]string, len(m))
	for i, a := range m {
		parts[i] = strings.TrimSpace(a.Value.String() + " " + a.Currency)
	}
	return strings.Join(parts, ", ")
}

// add returns m with p added to its amount in currency, keeping the order by currency.
func (m Money) add(currency string, p wrapper.Price) Money {
	for i := range m {
		switch {
		case m[i].Currency == currency:
			m[i].Value = m[i].Value.Add(p)
			return m
		case m[i].Currency > currency:
			m = append(m, Amount{})
			copy(m[i+1:], m[i:])
			m[i] = Amount{Currency: currency, Value: p}
			return m
		}
	}
	return append(m, Amount{Currency: currency, Value: p})
}

// plus returns m with every amount of o added.
func (m Money) plus(o Money) Money {
	for _, a := range o {
		m = m.add(a.Currency, a.Value)
	}
	return m
}

// SuspectKind is what a suspect is.
type SuspectKind string

// The kinds of suspects.
const (
	SuspectCountry SuspectKind = "country" // every number of one country
	SuspectPrefix  SuspectKind = "prefix"  // the numbers that share all but their last 4 digits
)

// Suspect is a country or a group of numbers with many sessions and few verified: codes
// someone had sent and nobody entered.
type Suspect struct {
	Kind SuspectKind
	// Country is the country; for a prefix, the country of its first session.
	Country string
	// Prefix is, for SuspectPrefix, the digits the numbers share (all but their last 4).
	Prefix             string
	Sessions, Verified int
	Messages           int
	Spend              Money // sessions' and messages' prices together
}

// Conversion is the share of the suspect's sessions that were verified.
func (s Suspect) Conversion() float64 {
	r, _ := ratio(s.Verified, s.Sessions)
	return r
}
