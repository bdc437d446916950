package report

import (
	"math"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// prefixGroups follows the groups of numbers that share all but their last 4 digits, for
// suspects. A period can hold hundreds of thousands of them, nearly all with one or two
// sessions, so each costs as little as it can: a fixed-size key (no string), 32-bit counts,
// country and currency as small indexes, and the spend inline in one currency (a group seldom
// sees two; the others go to a side map). At most max groups are followed; sessions to further
// groups are only counted.
type prefixGroups struct {
	max       int
	groups    map[prefixKey]prefixAcc
	other     map[prefixKey]Money // spend in currencies beyond a group's first
	untracked int

	names   []string          // countries and currencies by index; index 0 is ""
	indexOf map[string]uint16 // the reverse of names
}

// prefixKey is a group's digits and their count. Numbers have at most 15 digits, so groups
// have at most 11; longer ones (which the service does not send) are cut to 15.
type prefixKey struct {
	digits [15]byte
	n      uint8
}

func (k prefixKey) String() string { return string(k.digits[:k.n]) }

type prefixAcc struct {
	sessions, verified, messages int32
	country, currency            uint16 // indexes in names
	spend                        wrapper.Price
}

func newPrefixGroups(max int) *prefixGroups {
	return &prefixGroups{
		max:     max,
		groups:  map[prefixKey]prefixAcc{},
		other:   map[prefixKey]Money{},
		names:   []string{""},
		indexOf: map[string]uint16{"": 0},
	}
}

// prefixOf is the group a number belongs to: all its digits but the last 4. Numbers too
// short to share a meaningful prefix belong to none.
func prefixOf(recipient string) (prefixKey, bool) {
	const tail, least = 4, 5
	if len(recipient) < tail+least {
		return prefixKey{}, false
	}
	var k prefixKey
	k.n = uint8(copy(k.digits[:], recipient[:len(recipient)-tail]))
	return k, true
}

// add counts one session to the number's group.
func (pg *prefixGroups) add(a *wrapper.Authentication, s *session) {
	k, ok := prefixOf(a.Recipient)
	if !ok {
		return
	}
	pa, found := pg.groups[k]
	if !found {
		if len(pg.groups) >= pg.max {
			pg.untracked++
			return
		}
		pa.country = pg.index(a.CountryCode)
	}
	pa.sessions = saturatingInc(pa.sessions, 1)
	if s.status == wrapper.StatusVerified {
		pa.verified = saturatingInc(pa.verified, 1)
	}
	pa.messages = saturatingInc(pa.messages, s.messages)
	pg.spend(k, &pa, s.currency, s.price)
	for _, m := range s.messageSpend {
		pg.spend(k, &pa, m.Currency, m.Value)
	}
	pg.groups[k] = pa
}

// spend adds p in currency to the group: inline in its first currency, aside in others.
func (pg *prefixGroups) spend(k prefixKey, pa *prefixAcc, currency string, p wrapper.Price) {
	ci := pg.index(currency)
	switch {
	case pa.currency == ci:
		pa.spend = pa.spend.Add(p)
	case pa.currency == 0 && pa.spend.IsZero():
		pa.currency, pa.spend = ci, p
	default:
		pg.other[k] = pg.other[k].add(currency, p)
	}
}

// index is the index of a country or currency name, made on first use. Past 65,535 names
// (no real period comes near) the rest share index 0, the empty name.
func (pg *prefixGroups) index(name string) uint16 {
	if i, ok := pg.indexOf[name]; ok {
		return i
	}
	if len(pg.names) > math.MaxUint16 {
		return 0
	}
	i := uint16(len(pg.names))
	pg.names = append(pg.names, name)
	pg.indexOf[name] = i
	return i
}

// money is the group's whole spend.
func (pg *prefixGroups) money(k prefixKey, pa prefixAcc) Money {
	m := Money{{Currency: pg.names[pa.currency], Value: pa.spend}}
	return m.plus(pg.other[k])
}

func saturatingInc(v int32, by int) int32 {
	if int64(v)+int64(by) > math.MaxInt32 {
		return math.MaxInt32
	}
	return v + int32(by)
}
