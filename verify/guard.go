package verify

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// A Limit allows at most Count codes in any sliding window of length Per.
type Limit struct {
	Count int
	Per   time.Duration
}

// String writes the limit the way the logs and errors show it: "3/10m0s".
func (l Limit) String() string { return fmt.Sprintf("%d/%s", l.Count, l.Per) }

// Conversion asks that real people enter the codes sent: once at least MinSends codes went to one
// country (or one prefix) in the sliding window Per, at least the share Rate of them must have been
// verified, or new sends there are blocked. Its zero value is no rule.
type Conversion struct {
	Rate     float64       // the least share of codes that must be verified …
	MinSends int           // … once at least this many were sent …
	Per      time.Duration // … in this sliding window
}

// enabled reports whether c is a rule rather than its zero value.
func (c Conversion) enabled() bool { return c != Conversion{} }

// Guard is the policy against SMS pumping that a Verifier applies before every code it sends, first
// sends and resends alike. Every list of limits is counted over codes actually sent in sliding
// windows; a blocked attempt does not count. Start from DefaultGuard and change what your traffic
// needs: the zero Guard has no rules at all.
type Guard struct {
	PerPhone      []Limit    // codes sent to one number; default {3, 10m}, {10, 24h}
	PerIP         []Limit    // codes requested from one StartRequest.IP; default {10, 1h}
	PerUser       []Limit    // codes requested for one StartRequest.UserID; default none
	PerPrefix     []Limit    // codes to numbers that share all but their last 4 digits; default {20, 1h}
	PerCountry    []Limit    // codes to each country, counted apart; default none
	Countries     []string   // ISO alpha-2 codes allowed; empty = every country
	DenyCountries []string   // ISO alpha-2 codes never sent to
	MinConversion Conversion // per country and per prefix; default {0.2, 20, 1h}
	SafePhones    []string   // never blocked (staff, test numbers); still counted
	DryRun        bool       // decide and report, never block: roll a policy out safely

	// NumberTypes are the kinds of number codes may go to; empty = every kind. The default,
	// SMSNumberTypes, keeps to numbers that can take an SMS.
	NumberTypes []NumberType
}

// DefaultGuard returns the policy a Verifier applies when Config.Guard is nil: a fresh copy each
// call, safe to change.
func DefaultGuard() *Guard {
	return &Guard{
		PerPhone:      []Limit{{Count: 3, Per: 10 * time.Minute}, {Count: 10, Per: 24 * time.Hour}},
		PerIP:         []Limit{{Count: 10, Per: time.Hour}},
		PerPrefix:     []Limit{{Count: 20, Per: time.Hour}},
		MinConversion: Conversion{Rate: 0.2, MinSends: 20, Per: time.Hour},
		NumberTypes:   SMSNumberTypes(),
	}
}

// NumberType is the kind of a phone number as libphonenumber classifies it.
type NumberType string

// The kinds of number libphonenumber tells apart.
const (
	NumberMobile            NumberType = "mobile"
	NumberFixedLine         NumberType = "fixed_line"
	NumberFixedLineOrMobile NumberType = "fixed_line_or_mobile" // where the plan does not tell them apart (US, CA, …)
	NumberVoIP              NumberType = "voip"
	NumberPersonal          NumberType = "personal_number"
	NumberTollFree          NumberType = "toll_free"
	NumberPremiumRate       NumberType = "premium_rate"
	NumberSharedCost        NumberType = "shared_cost"
	NumberUAN               NumberType = "uan"
	NumberPager             NumberType = "pager"
	NumberVoicemail         NumberType = "voicemail"
	NumberUnknown           NumberType = "unknown"
)

// knownNumberTypes lists every NumberType; a Guard naming another is invalid.
var knownNumberTypes = []NumberType{
	NumberMobile, NumberFixedLine, NumberFixedLineOrMobile, NumberVoIP, NumberPersonal, NumberTollFree,
	NumberPremiumRate, NumberSharedCost, NumberUAN, NumberPager, NumberVoicemail, NumberUnknown,
}

// SMSNumberTypes returns the kinds of number that can take an SMS: mobile, fixed line or mobile,
// VoIP and personal numbers. Premium-rate, shared-cost, toll-free, UAN, pager, voicemail, plain
// fixed-line and unknown numbers are left out: a code sent there reaches nobody, or pays whoever
// runs the range.
func SMSNumberTypes() []NumberType {
	return []NumberType{NumberMobile, NumberFixedLineOrMobile, NumberVoIP, NumberPersonal}
}

// Reason names the rule that blocked a code.
type Reason string

// The rules of a Guard.
const (
	ReasonPhoneRate   Reason = "phone_rate"
	ReasonIPRate      Reason = "ip_rate"
	ReasonUserRate    Reason = "user_rate"
	ReasonPrefixRate  Reason = "prefix_rate"
	ReasonCountryRate Reason = "country_rate"
	ReasonCountry     Reason = "country"
	ReasonNumberType  Reason = "number_type"
	ReasonConversion  Reason = "conversion"
)

// ErrBlocked is matched by errors.Is for every *BlockedError.
var ErrBlocked = errors.New("verify: blocked by the guard")

// BlockedError is the error of a Start the guard stopped before anything was sent. Of several rules
// that block at once it names the one that holds longest: a country or number type rule (waiting does
// not help) before any window, else the window that frees last.
type BlockedError struct {
	Reason     Reason
	RetryAfter time.Duration // when the rule would let this through again; 0 = not by waiting

	Scope      string     // the counter that blocked: "phone", "ip", "user", "prefix" or "country"; "" for country and number type rules
	Limit      Limit      // the limit that blocked, for the *_rate reasons
	Conversion Conversion // the rule that blocked, for ReasonConversion
	Sent       int        // codes sent in the rule's window before this one
	Verified   int        // of them verified, for ReasonConversion
	Country    string     // ISO 3166-1 alpha-2 of the number
	NumberType NumberType // the number's kind
	Phone      string     // the number masked, never in full
}

// Error says which rule blocked and when to try again, without the phone number.
func (e *BlockedError) Error() string {
	var b strings.Builder
	b.WriteString("verify: blocked by the guard: ")
	b.WriteString(string(e.Reason))
	switch e.Reason {
	case ReasonCountry:
		fmt.Fprintf(&b, " (%s)", e.Country)
	case ReasonNumberType:
		fmt.Fprintf(&b, " (%s)", e.NumberType)
	case ReasonConversion:
		fmt.Fprintf(&b, " (%s: %d of %d codes verified in %s, least share %g)", e.Scope, e.Verified, e.Sent,
			e.Conversion.Per, e.Conversion.Rate)
	default:
		fmt.Fprintf(&b, " (%d codes in %s, limit %d)", e.Sent, e.Limit.Per, e.Limit.Count)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrBlocked) true for every *BlockedError.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }
