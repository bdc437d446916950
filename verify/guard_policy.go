package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	phonemask "github.com/go-bsg/bsg2fa/internal/phone"
)

// scope names one kind of counter of the guard. The order of scopes is the order rules are
// evaluated in, which breaks ties between rules that block for equally long.
type scope string

const (
	scopePhone   scope = "phone"
	scopeUser    scope = "user"
	scopeIP      scope = "ip"
	scopePrefix  scope = "prefix"
	scopeCountry scope = "country"
)

var scopes = []scope{scopePhone, scopeUser, scopeIP, scopePrefix, scopeCountry}

// rateReason is the Reason of a rate limit of each scope.
var rateReason = map[scope]Reason{
	scopePhone:   ReasonPhoneRate,
	scopeUser:    ReasonUserRate,
	scopeIP:      ReasonIPRate,
	scopePrefix:  ReasonPrefixRate,
	scopeCountry: ReasonCountryRate,
}

// minWindow is the shortest window a Guard may name: stores count to the millisecond or finer.
const minWindow = time.Millisecond

// policy is a validated Guard in the form the rules read.
type policy struct {
	limits     map[scope][]Limit
	conversion Conversion          // zero: no conversion rule
	settle     time.Duration       // how long a code can still be entered: till then it is neither converted nor not
	countries  map[string]bool     // nil: every country
	deny       map[string]bool     // never sent to
	types      map[NumberType]bool // nil: every kind of number
	safe       map[string]bool     // E.164 digits never blocked
	dryRun     bool
}

// compilePolicy validates g and turns it into a policy. A nil g is DefaultGuard(); SafePhones written
// without a country code are read in defaultRegion. codeLifetime is how long a code can be entered:
// the conversion rule judges a code only once it is verified or its lifetime is over.
func compilePolicy(g *Guard, defaultRegion string, codeLifetime time.Duration) (*policy, error) {
	if g == nil {
		g = DefaultGuard()
	}
	p := &policy{
		limits: map[scope][]Limit{
			scopePhone:   g.PerPhone,
			scopeUser:    g.PerUser,
			scopeIP:      g.PerIP,
			scopePrefix:  g.PerPrefix,
			scopeCountry: g.PerCountry,
		},
		conversion: g.MinConversion,
		settle:     codeLifetime,
		dryRun:     g.DryRun,
	}
	fields := map[scope]string{
		scopePhone: "PerPhone", scopeUser: "PerUser", scopeIP: "PerIP", scopePrefix: "PerPrefix", scopeCountry: "PerCountry",
	}
	for _, sc := range scopes {
		lims := append([]Limit(nil), p.limits[sc]...)
		for i, l := range lims {
			if l.Count < 1 || l.Per < minWindow {
				return nil, fmt.Errorf("verify: Guard.%s[%d] = %v: want a Count of at least 1 and a Per of at least %s",
					fields[sc], i, l, minWindow)
			}
		}
		p.limits[sc] = lims
	}
	if c := g.MinConversion; c.enabled() && (!(c.Rate > 0 && c.Rate <= 1) || c.MinSends < 1 || c.Per < minWindow) {
		return nil, fmt.Errorf("verify: Guard.MinConversion = %+v: want a Rate in (0, 1], MinSends of at least 1 and a Per of at least %s (or the zero value: no rule)",
			c, minWindow)
	}
	if c := g.MinConversion; c.enabled() && c.Per <= codeLifetime {
		return nil, fmt.Errorf("verify: Guard.MinConversion.Per = %s: want a window longer than the code lifetime %s, or no code in it is judged yet",
			c.Per, codeLifetime)
	}
	var err error
	if p.countries, err = regionSet("Countries", g.Countries); err != nil {
		return nil, err
	}
	if p.deny, err = regionSet("DenyCountries", g.DenyCountries); err != nil {
		return nil, err
	}
	for cc := range p.deny {
		if p.countries[cc] {
			return nil, fmt.Errorf("verify: Guard: %s is in both Countries and DenyCountries", cc)
		}
	}
	if len(g.NumberTypes) > 0 {
		p.types = make(map[NumberType]bool, len(g.NumberTypes))
		for _, t := range g.NumberTypes {
			if !isKnownNumberType(t) {
				return nil, fmt.Errorf("verify: Guard.NumberTypes: unknown number type %q", t)
			}
			p.types[t] = true
		}
	}
	p.safe = make(map[string]bool, len(g.SafePhones))
	for i, s := range g.SafePhones {
		num, err := phonenumbers.Parse(s, defaultRegion)
		if err != nil {
			return nil, fmt.Errorf("verify: Guard.SafePhones[%d] (%s) is not a phone number: %w", i, phonemask.Mask(digitsOnly(s)), err)
		}
		p.safe[e164Digits(num)] = true
	}
	return p, nil
}

// regionSet validates a list of ISO 3166-1 alpha-2 codes, in any case; nil for an empty list.
func regionSet(field string, codes []string) (map[string]bool, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	supported := phonenumbers.GetSupportedRegions()
	set := make(map[string]bool, len(codes))
	for _, c := range codes {
		cc := strings.ToUpper(strings.TrimSpace(c))
		if !supported[cc] {
			return nil, fmt.Errorf("verify: Guard.%s: %q is not an ISO 3166-1 alpha-2 region with phone numbers", field, c)
		}
		set[cc] = true
	}
	return set, nil
}

func isKnownNumberType(t NumberType) bool {
	for _, k := range knownNumberTypes {
		if t == k {
			return true
		}
	}
	return false
}

// enabled reports whether the policy has any rule at all; a Guard without one costs nothing.
func (p *policy) enabled() bool {
	if p.conversion.enabled() || p.countries != nil || p.deny != nil || p.types != nil {
		return true
	}
	for _, l := range p.limits {
		if len(l) > 0 {
			return true
		}
	}
	return false
}

// subject is what the guard knows of one code about to be sent.
type subject struct {
	phone   string // E.164 digits
	country string // ISO 3166-1 alpha-2, "001" for non-geographic numbers
	prefix  string // all but the last 4 digits of phone
	kind    NumberType
	ip      string // the address, or its /64 for IPv6; "" when unknown
	user    string // a hash of the user id; "" when none
}

// newSubject describes a code to the number num requested from ip for userID. num comes from
// phonenumbers.Parse; ip and userID may be zero.
func newSubject(num *phonenumbers.PhoneNumber, ip netip.Addr, userID string) subject {
	digits := e164Digits(num)
	s := subject{
		phone:   digits,
		country: phonenumbers.GetRegionCodeForNumber(num),
		prefix:  digits[:max(len(digits)-4, 0)],
		kind:    numberType(phonenumbers.GetNumberType(num)),
		ip:      ipKey(ip),
	}
	if userID != "" {
		sum := sha256.Sum256([]byte(userID))
		s.user = hex.EncodeToString(sum[:16])
	}
	return s
}

// ipKey is the counter key of an address: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by its /64,
// the block one subscriber gets, so an attacker cannot rotate through the addresses of one line.
func ipKey(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}

// e164Digits is num in E.164 without its plus sign.
func e164Digits(num *phonenumbers.PhoneNumber) string {
	return strings.TrimPrefix(phonenumbers.Format(num, phonenumbers.E164), "+")
}

// digitsOnly keeps the digits of s.
func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// numberType maps libphonenumber's classification to a NumberType.
func numberType(t phonenumbers.PhoneNumberType) NumberType {
	switch t {
	case phonenumbers.MOBILE:
		return NumberMobile
	case phonenumbers.FIXED_LINE:
		return NumberFixedLine
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return NumberFixedLineOrMobile
	case phonenumbers.VOIP:
		return NumberVoIP
	case phonenumbers.PERSONAL_NUMBER:
		return NumberPersonal
	case phonenumbers.TOLL_FREE:
		return NumberTollFree
	case phonenumbers.PREMIUM_RATE:
		return NumberPremiumRate
	case phonenumbers.SHARED_COST:
		return NumberSharedCost
	case phonenumbers.UAN:
		return NumberUAN
	case phonenumbers.PAGER:
		return NumberPager
	case phonenumbers.VOICEMAIL:
		return NumberVoicemail
	default:
		return NumberUnknown
	}
}

// key is the counter key of scope sc for s; "" when s has nothing to count there.
func (s subject) key(sc scope) string {
	var v string
	switch sc {
	case scopePhone:
		v = s.phone
	case scopeUser:
		v = s.user
	case scopeIP:
		v = s.ip
	case scopePrefix:
		v = s.prefix
	case scopeCountry:
		v = s.country
	}
	if v == "" {
		return ""
	}
	return string(sc) + ":" + v
}
