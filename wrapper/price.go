package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// maxPriceScale is the most digits after the decimal separator a Price holds. Together with
// the int64 coefficient it gives at least 18 significant digits, far more than any amount the
// service reports (the documentation shows at most 7 decimals).
const maxPriceScale = 18

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
	p, ok := parseDecimal(s, false)
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

// parseDecimal reads a decimal in one of two grammars. With jsonNumber false it is the
// string form of ParsePrice ('.' or ',', no exponent, leading zeros allowed). With
// jsonNumber true it is RFC 8259's number grammar ('.', an optional exponent, no leading
// zeros). It never allocates.
func parseDecimal[T ~string | ~[]byte](s T, jsonNumber bool) (Price, bool) {
	i, n := 0, len(s)
	neg := false
	if i < n && s[i] == '-' {
		neg = true
		i++
	}

	var coef uint64 // the significant digits read so far
	scale := 0      // digits after the separator, up to the last non-zero one
	pendingZeros := 0

	// addDigit appends one significant digit (after any zeros held back) to coef.
	addDigit := func(d uint64) bool {
		for ; pendingZeros > 0; pendingZeros-- {
			hi, lo := bits.Mul64(coef, 10)
			if hi != 0 || lo > math.MaxInt64 {
				return false
			}
			coef = lo
		}
		hi, lo := bits.Mul64(coef, 10)
		if hi != 0 {
			return false
		}
		lo, carry := bits.Add64(lo, d, 0)
		if carry != 0 || lo > math.MaxInt64 {
			return false
		}
		coef = lo
		return true
	}

	start := i
	for i < n && isDigit(s[i]) {
		d := uint64(s[i] - '0')
		switch {
		case d == 0 && coef == 0:
			// A leading zero adds nothing.
		case d == 0:
			pendingZeros++
		default:
			if !addDigit(d) {
				return Price{}, false
			}
		}
		i++
	}
	intDigits := i - start
	if intDigits == 0 {
		return Price{}, false
	}
	if jsonNumber && intDigits > 1 && s[start] == '0' {
		return Price{}, false
	}
	// Zeros at the end of the integer part are significant.
	if pendingZeros > 0 && coef != 0 {
		for ; pendingZeros > 0; pendingZeros-- {
			hi, lo := bits.Mul64(coef, 10)
			if hi != 0 || lo > math.MaxInt64 {
				return Price{}, false
			}
			coef = lo
		}
	}
	pendingZeros = 0

	if i < n && (s[i] == '.' || (!jsonNumber && s[i] == ',')) {
		i++
		fracStart := i
		digitsSeen := 0
		for i < n && isDigit(s[i]) {
			digitsSeen++
			d := uint64(s[i] - '0')
			if d == 0 {
				pendingZeros++
			} else {
				if coef == 0 {
					// Zeros right after the separator only move the scale.
					pendingZeros = 0
				}
				if !addDigit(d) {
					return Price{}, false
				}
				scale = digitsSeen
			}
			i++
		}
		if i == fracStart {
			return Price{}, false
		}
	}

	exp := 0
	if jsonNumber && i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNeg := false
		if i < n && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		expStart := i
		for i < n && isDigit(s[i]) {
			// Saturate: an exponent this large refuses any non-zero value anyway.
			if exp < 100000 {
				exp = exp*10 + int(s[i]-'0')
			}
			i++
		}
		if i == expStart {
			return Price{}, false
		}
		if expNeg {
			exp = -exp
		}
	}
	if i != n {
		return Price{}, false
	}
	if coef == 0 {
		return Price{}, true
	}

	scale -= exp
	for scale < 0 {
		hi, lo := bits.Mul64(coef, 10)
		if hi != 0 || lo > math.MaxInt64 {
			return Price{}, false
		}
		coef = lo
		scale++
	}
	for scale > 0 && coef%10 == 0 {
		coef /= 10
		scale--
	}
	if scale > maxPriceScale {
		return Price{}, false
	}
	c := int64(coef)
	if neg {
		c = -c
	}
	return Price{coef: c, scale: uint8(scale)}, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// String returns the canonical decimal form: a '.' separator, no trailing zeros after it,
// no exponent ("0.02", "0.0642918", "1.5", "0", "-3").
func (p Price) String() string {
	var buf [48]byte
	return string(p.appendTo(buf[:0]))
}

// appendTo appends the canonical form of p to b.
func (p Price) appendTo(b []byte) []byte {
	u := uint64(p.coef)
	if p.coef < 0 {
		b = append(b, '-')
		u = uint64(-p.coef)
	}
	var d [20]byte
	digits := strconv.AppendUint(d[:0], u, 10)
	scale := int(p.scale)
	switch {
	case scale == 0:
		return append(b, digits...)
	case len(digits) <= scale:
		b = append(b, '0', '.')
		for range scale - len(digits) {
			b = append(b, '0')
		}
		return append(b, digits...)
	default:
		b = append(b, digits[:len(digits)-scale]...)
		b = append(b, '.')
		return append(b, digits[len(digits)-scale:]...)
	}
}

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

// Add returns p + q. The sum is exact whenever it fits a Price (18 significant digits, at
// most 18 after the point), which every realistic total of service prices does. A sum that
// does not fit is rounded half to even to the nearest Price, and a sum beyond
// ±9223372036854775807 saturates there; neither ever panics.
func (p Price) Add(q Price) Price {
	scale := max(p.scale, q.scale)
	// Aligned magnitudes are below 2^63 · 10^18 < 2^123, so a 128-bit sum cannot overflow.
	a := scaled(p.coef, scale-p.scale)
	b := scaled(q.coef, scale-q.scale)
	return fromWide(a.add(b), int(scale))
}

// wide is a signed 128-bit integer as sign and magnitude.
type wide struct {
	neg    bool
	hi, lo uint64
}

// scaled returns c · 10^k as a wide; k is at most maxPriceScale.
func scaled(c int64, k uint8) wide {
	w := wide{neg: c < 0, lo: uint64(c)}
	if c < 0 {
		w.lo = uint64(-c)
	}
	w.hi, w.lo = bits.Mul64(w.lo, pow10u[k])
	return w
}

// cmpMag compares the magnitudes of w and v.
func (w wide) cmpMag(v wide) int {
	switch {
	case w.hi != v.hi:
		if w.hi < v.hi {
			return -1
		}
		return 1
	case w.lo != v.lo:
		if w.lo < v.lo {
			return -1
		}
		return 1
	}
	return 0
}

func (w wide) add(v wide) wide {
	if w.neg == v.neg {
		lo, carry := bits.Add64(w.lo, v.lo, 0)
		hi, _ := bits.Add64(w.hi, v.hi, carry)
		return wide{neg: w.neg, hi: hi, lo: lo}
	}
	big, small := w, v
	if w.cmpMag(v) < 0 {
		big, small = v, w
	}
	lo, borrow := bits.Sub64(big.lo, small.lo, 0)
	hi, _ := bits.Sub64(big.hi, small.hi, borrow)
	return wide{neg: big.neg, hi: hi, lo: lo}
}

func (w wide) isZero() bool { return w.hi == 0 && w.lo == 0 }

// fitsInt64 reports whether the magnitude fits an int64 coefficient.
func (w wide) fitsInt64() bool { return w.hi == 0 && w.lo <= math.MaxInt64 }

// divmod10 returns w / 10 (keeping the sign) and the magnitude's last digit.
func (w wide) divmod10() (wide, uint64) {
	hi, r := bits.Div64(0, w.hi, 10)
	lo, r := bits.Div64(r, w.lo, 10)
	return wide{neg: w.neg, hi: hi, lo: lo}, r
}

// fromWide turns w / 10^scale into a canonical Price, rounding half to even (and then
// saturating) only when it does not fit.
func fromWide(w wide, scale int) Price {
	if w.isZero() {
		return Price{}
	}
	for scale > 0 {
		q, r := w.divmod10()
		if r != 0 {
			break
		}
		w, scale = q, scale-1
	}
	for scale > 0 && (!w.fitsInt64() || scale > maxPriceScale) {
		// Drop digits until the rest fits, then round once on what was dropped. Rounding up
		// can overflow again only to 2^63, whose next digit (8) is no tie: the second pass
		// rounds correctly.
		var last uint64
		sticky := false
		for scale > 0 && (!w.fitsInt64() || scale > maxPriceScale) {
			sticky = sticky || last != 0
			w, last = w.divmod10()
			scale--
		}
		if last > 5 || (last == 5 && (sticky || w.lo&1 == 1)) {
			w = w.add(wide{neg: w.neg, lo: 1})
		}
	}
	for scale > 0 {
		q, r := w.divmod10()
		if r != 0 {
			break
		}
		w, scale = q, scale-1
	}
	if !w.fitsInt64() {
		w = wide{neg: w.neg, lo: math.MaxInt64}
	}
	c := int64(w.lo)
	if w.neg {
		c = -c
	}
	if c == 0 {
		return Price{}
	}
	return Price{coef: c, scale: uint8(scale)}
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
	v, ok := parseDecimal(b, false)
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
		p, ok := parseDecimal(inner, false)
		if !ok {
			return Price{}, priceError(raw)
		}
		return p, nil
	default:
		p, ok := parseDecimal(raw, true)
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
