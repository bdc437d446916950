package verify

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	phonemask "github.com/go-bsg/bsg2fa/internal/phone"
)

// phone is a number parsed once at the edge: the parsed form for rules that need its type or
// region, its E.164 digits for the service and the store, and its country.
type phone struct {
	number  *phonenumbers.PhoneNumber
	digits  string // E.164 without "+"
	country string // ISO 3166-1 alpha-2
}

// parsePhone reads a number in any common written form. Without a default region a number
// must carry its country code, after "+", "00" or nothing ("380979965073").
func parsePhone(s, defaultRegion string) (phone, error) {
	s = strings.TrimSpace(s)
	if defaultRegion == "" && s != "" && !strings.HasPrefix(s, "+") {
		s = "+" + strings.TrimPrefix(s, "00")
	}
	n, err := phonenumbers.Parse(s, defaultRegion)
	if err != nil {
		return phone{}, fmt.Errorf("%w: %w", ErrInvalidPhone, err)
	}
	if !phonenumbers.IsValidNumber(n) {
		return phone{}, ErrInvalidPhone
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	return phone{number: n, digits: strings.TrimPrefix(e164, "+"), country: phonenumbers.GetRegionCodeForNumber(n)}, nil
}

// String returns the number masked, for logs: the first three and last three digits.
func (p phone) String() string { return phonemask.Mask(p.digits) }
