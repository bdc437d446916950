package wrapper

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/go-bsg/bsg2fa/internal/money"
)

// maxPriceScale is the most digits after the decimal separator a Price holds: the most that
// internal/money parses. Together with the int64 coefficient it gives at least 18 significant
// digits, far more than any amount the service reports (the documentation shows at most 7
// decimals).
const maxPriceScale = money.MaxScale

// errInvalidPrice is wrapped by every error ParsePrice and the JSON decoding of a Price return.
var errInvalidPrice = errors.New("bsg2fa: invalid price")

// Price is an exact decimal amount of money. It never passes through a binary float: "0,02"
// and 0.0642918 come back exactly as the service wrote them.
//
// A Price holds any amount of up to 18 significant digits (19 when the digits stay below
// 9223372036854775808) with at most 18 of them after the decimal point; values that cannot
// be held exactly are refused when parsed, never rounded. The zero value is
// the amount 0. Prices are kept in a canonical form, so two Prices are == exactly when they
// are the same amount ("1.50" == "1.5").
type Price struct {
	// coef is the amount times 10^scale. It never ends in a zero digit unless scale is 0,
	// and scale is 0 when coef is 0: the canonical form that makes == meaningful.
	coef  int64
	scale uint8
}

// pow10u holds 10^0 to 10^19, all of which fit in a uint64.
var pow10u = [...]uint64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// pow10f holds 10^0 to 10^18 as float64; each is exact, so one division is correctly rounded.
var pow10f = [...]float64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
}

// ParsePrice reads a decimal amount as the service writes it in strings: an optional '-',
// one or more digits, and optionally a '.' or ',' followed by one or more digits ("0,02",
// "0.02", "50.25", "0", "-1.5"). Leading zeros are allowed. Everything else is refused:
// an empty string, spaces, a '+' sign, exponents ("1e3"), a separator without digits on
// both sides ("1." and ".5"), and values with more precision than a Price holds.
func ParsePrice(s string) (Price, error) {
	p, ok := parsePrice(s)
	if !ok {
		return Price{}, priceError(s)
	}
	return p, nil
}

// priceError describes a refused price without repeating more than a short prefix of it.
func priceError[T ~string | ~[]byte](s T) error {
	const maxShown = 40
	shown := string(s[:min(len(s), maxShown)])
	if len(s) > maxShown {
		return fmt.Errorf("%w: %q…", errInvalidPrice, shown)
	}
	return fmt.Errorf("%w: %q", errInvalidPrice, shown)
}

// parsePrice reads s in ParsePrice's grammar. It never allocates.
func parsePrice[T ~string | ~[]byte](s T) (Price, bool) { return priceOf(money.Parse(s)) }

// priceOf is the Price of a pair from internal/money, whose canonical form and MaxScale are
// the Price's own, so it is taken as it is.
func priceOf(coef int64, scale int, ok bool) (Price, bool) {
	return Price{coef: coef, scale: uint8(scale)}, ok
}

// String returns the canonical decimal form: a '.' separator, no trailing zeros after it,
// no exponent ("0.02", "0.0642918", "1.5", "0", "-3").
func (p Price) String() string {
	var buf [48]byte
	return string(p.appendTo(buf[:0]))
}

// appendTo appends the canonical form of p to b.
func (p Price) appendTo(b []byte) []byte { return money.Append(b, p.coef, p.scale, '.') }

// Float64 returns the nearest float64 to p, for display or arithmetic where exactness does
// not matter.
func (p Price) Float64() float64 {
	const exactInt = 1 << 53
	if p.coef > -exactInt && p.coef < exactInt {
		// Both operands are exact, so the quotient is correctly rounded.
		return float64(p.coef) / pow10f[p.scale]
	}
	var buf [48]byte
	f, err := strconv.ParseFloat(string(p.appendTo(buf[:0])), 64)
	if err != nil {
		return math.NaN() // unreachable: appendTo always writes a valid decimal
	}
	return f
}

// IsZero reports whether p is the amount 0.
func (p Price) IsZero() bool { return p.coef == 0 }

// Coef returns p as an integer coefficient and a scale, p = coef × 10^−scale, in canonical
// form: scale is 0 to 18, and coef ends in a zero digit only when scale is 0 ("1.50" gives 15
// and 1, "0" gives 0 and 0). It is the one-line way into a decimal package:
//
//	coef, scale := p.Coef()
//	d := decimal.New(coef, -int32(scale)) // github.com/shopspring/decimal
//	d, err := decimal.New(coef, scale)    // github.com/govalues/decimal (err is always nil: scale ≤ 18)
func (p Price) Coef() (coef int64, scale int) { return p.coef, int(p.scale) }

// Neg returns −p. It is always exact: a Price's coefficient is never −2⁶³.
func (p Price) Neg() Price { return Price{coef: -p.coef, scale: p.scale} }

// Cmp compares p and q exactly: −1 if p < q, 0 if they are the same amount, +1 if p > q.
func (p Price) Cmp(q Price) int {
	if p.scale == q.scale {
		return cmp.Compare(p.coef, q.coef)
	}
	pInt, pFrac := p.split()
	qInt, qFrac := q.split()
	if c := cmp.Compare(pInt, qInt); c != 0 {
		return c
	}
	return cmp.Compare(pFrac, qFrac)
}

// split returns the integer part of p (truncated towards zero) and the rest in units of
// 10^−18, both with p's sign: together they order Prices of any two scales without overflow.
func (p Price) split() (whole, frac int64) {
	unit := int64(pow10u[p.scale])
	return p.coef / unit, p.coef % unit * int64(pow10u[maxPriceScale-p.scale])
}

// ErrPriceOverflow is returned by AddExact and SubExact when the exact result does not fit a
// Price (more than 18 significant digits, or beyond ±9223372036854775807).
var ErrPriceOverflow = errors.New("bsg2fa: price out of range")

// Add returns p + q. The sum is exact whenever it fits a Price (18 significant digits, at
// most 18 after the point), which every realistic total of service prices does. A sum that
// does not fit is rounded half to even to the nearest Price, and a sum beyond
// ±9223372036854775807 saturates there; neither ever panics. AddExact reports such a sum as
// an error instead.
func (p Price) Add(q Price) Price {
	if sum, ok := addInt64(p, q); ok {
		return sum
	}
	sum, _ := addBig(p, q, true)
	return sum
}

// Sub returns p − q, exact, rounded or saturated as Add is.
func (p Price) Sub(q Price) Price { return p.Add(q.Neg()) }

// AddExact returns p + q, or an error matching ErrPriceOverflow when the exact sum does not
// fit a Price. It never rounds.
func (p Price) AddExact(q Price) (Price, error) {
	if sum, ok := addInt64(p, q); ok {
		return sum, nil
	}
	if sum, ok := addBig(p, q, false); ok {
		return sum, nil
	}
	return Price{}, fmt.Errorf("%w: %s + %s", ErrPriceOverflow, p, q)
}

// SubExact returns p − q, or an error matching ErrPriceOverflow when the exact difference
// does not fit a Price.
func (p Price) SubExact(q Price) (Price, error) {
	d, err := p.AddExact(q.Neg())
	if err != nil {
		return Price{}, fmt.Errorf("%w: %s − %s", ErrPriceOverflow, p, q)
	}
	return d, nil
}

// addInt64 is the sum in int64 arithmetic, which holds every sum of realistic prices; ok is
// false when an operand brought to the common scale, or the sum, does not fit.
func addInt64(p, q Price) (Price, bool) {
	scale := max(p.scale, q.scale)
	a, okA := scaleUp(p.coef, scale-p.scale)
	b, okB := scaleUp(q.coef, scale-q.scale)
	if !okA || !okB {
		return Price{}, false
	}
	sum := a + b
	if (a > 0 && b > 0 && sum < 0) || (a < 0 && b < 0 && sum >= 0) || sum == math.MinInt64 {
		return Price{}, false
	}
	return canonical(sum, scale), true
}

// scaleUp returns c · 10^k, or false when that overflows; k is at most maxPriceScale.
func scaleUp(c int64, k uint8) (int64, bool) {
	m := int64(pow10u[k])
	if c > math.MaxInt64/m || c < -math.MaxInt64/m {
		return 0, false
	}
	return c * m, true
}

// canonical returns coef / 10^scale with the trailing zeros of coef removed.
func canonical(coef int64, scale uint8) Price {
	if coef == 0 {
		return Price{}
	}
	for scale > 0 && coef%10 == 0 {
		coef /= 10
		scale--
	}
	return Price{coef: coef, scale: scale}
}

// addBig is the sum that addInt64 cannot hold, computed exactly with math/big; ok reports
// whether the result is that exact sum. It is returned as it is when it fits a Price. When it
// does not, with round it is rounded half to even to the most decimals that fit, or saturated
// when not even its integer part fits; without round ok is false.
func addBig(p, q Price, round bool) (sum Price, ok bool) {
	scale := max(p.scale, q.scale)
	exact := new(big.Int).Add(bigScaled(p, scale), bigScaled(q, scale))
	for drop := uint8(0); drop <= scale; drop++ {
		div := int64(pow10u[drop])
		c, rem := new(big.Int).QuoRem(exact, big.NewInt(div), new(big.Int))
		if rem.Sign() != 0 {
			if !round {
				return Price{}, false
			}
			roundHalfEven(c, rem, div, exact.Sign())
		}
		if c.IsInt64() && c.Int64() != math.MinInt64 {
			return canonical(c.Int64(), scale-drop), rem.Sign() == 0
		}
	}
	if !round {
		return Price{}, false
	}
	if exact.Sign() < 0 {
		return Price{coef: -math.MaxInt64}, false
	}
	return Price{coef: math.MaxInt64}, false
}

// bigScaled returns p's coefficient at the given scale (at least p's) as a big.Int.
func bigScaled(p Price, scale uint8) *big.Int {
	c := big.NewInt(p.coef)
	return c.Mul(c, new(big.Int).SetUint64(pow10u[scale-p.scale]))
}

// roundHalfEven rounds the truncated quotient c = n / div, whose remainder is rem and whose
// dividend has the given sign, to the nearest integer, ties to the even one.
func roundHalfEven(c, rem *big.Int, div int64, sign int) {
	twice := new(big.Int).Abs(rem)
	twice.Lsh(twice, 1)
	switch twice.Cmp(big.NewInt(div)) {
	case 1:
	case 0:
		if c.Bit(0) == 0 {
			return
		}
	default:
		return
	}
	c.Add(c, big.NewInt(int64(sign)))
}

// MarshalJSON writes p as a JSON string of its canonical form, which no JSON reader turns
// into a binary float on its way.
func (p Price) MarshalJSON() ([]byte, error) {
	var buf [48]byte
	b := append(buf[:0], '"')
	b = p.appendTo(b)
	b = append(b, '"')
	return append([]byte(nil), b...), nil
}

// UnmarshalJSON reads a JSON number (50.25, 1e-3) or a JSON string in either decimal form
// ("0,02", "0.02"); null and "" are the zero Price.
func (p *Price) UnmarshalJSON(b []byte) error {
	v, err := priceFromJSON(b)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// MarshalText writes the canonical form, for encoders other than JSON.
func (p Price) MarshalText() ([]byte, error) {
	var buf [48]byte
	return append([]byte(nil), p.appendTo(buf[:0])...), nil
}

// UnmarshalText reads the forms ParsePrice accepts.
func (p *Price) UnmarshalText(b []byte) error {
	v, ok := parsePrice(b)
	if !ok {
		return priceError(b)
	}
	*p = v
	return nil
}

// priceFromJSON reads a price from raw JSON: a number in the full JSON grammar (50.25,
// 0.0642918, 0, 1e-3), or a string in ParsePrice's forms ("0,02"). null, nothing at all and
// the empty string "" are the zero Price: the service leaves prices out or empty for sessions
// that cost nothing yet. It allocates only for strings with escapes and on errors.
func priceFromJSON(raw []byte) (Price, error) {
	raw = trimJSONSpace(raw)
	switch {
	case len(raw) == 0, string(raw) == "null":
		return Price{}, nil
	case raw[0] == '"':
		if len(raw) < 2 || raw[len(raw)-1] != '"' {
			return Price{}, priceError(raw)
		}
		inner := raw[1 : len(raw)-1]
		for _, c := range inner {
			if c == '\\' || c == '"' {
				// Escapes are legal JSON but never needed for digits; decode properly.
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					return Price{}, priceError(raw)
				}
				return priceFromString(s)
			}
		}
		if len(inner) == 0 {
			return Price{}, nil
		}
		p, ok := parsePrice(inner)
		if !ok {
			return Price{}, priceError(raw)
		}
		return p, nil
	default:
		p, ok := priceOf(money.ParseJSONNumber(raw))
		if !ok {
			return Price{}, priceError(raw)
		}
		return p, nil
	}
}

// priceFromString is the decoded-string branch of priceFromJSON.
func priceFromString(s string) (Price, error) {
	if s == "" {
		return Price{}, nil
	}
	return ParsePrice(s)
}

// trimJSONSpace removes the four whitespace bytes JSON allows around a value.
func trimJSONSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
