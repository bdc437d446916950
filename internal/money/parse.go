package money

import (
	"math"
	"math/bits"
)

// MaxScale is the most digits after the decimal point a parsed amount has. 10^18 is the
// largest power of ten an int64 holds, so a caller can bring any two amounts to a common
// scale in int64 arithmetic; with the int64 coefficient it still gives at least 18
// significant digits, far more than any amount the service reports (it shows at most 7
// decimals).
const MaxScale = 18

// Parse reads an amount as the service writes it in strings: an optional '-', one or more
// digits, and optionally a '.' or ',' followed by one or more digits ("0,02", "0.02",
// "50.25", "0", "-1.5"). Leading zeros are allowed. Everything else is refused: an empty
// string, spaces, a '+' sign, exponents ("1e3"), a separator without digits on both sides
// ("1." and ".5"), and amounts that need more than an int64 coefficient or MaxScale digits
// after the point.
//
// The result is canonical: coef ends in a zero digit only when scale is 0, and 0 (also "-0")
// is 0 and 0, so two spellings of one amount give the same pair ("1.50" and "1,5" are 15 and
// 1). coef is never math.MinInt64, so it can always be negated. When ok is false, coef and
// scale are 0.
func Parse[T ~string | ~[]byte](s T) (coef int64, scale int, ok bool) {
	return parse(s, false)
}

// ParseJSONNumber reads an amount in RFC 8259's number grammar: an optional '-', digits
// without leading zeros, optionally a '.' and digits, optionally an exponent ("50.25",
// "0.0642918", "1e-3", "-0"). The limits and the canonical result are those of Parse: an
// exponent is applied exactly, and an amount it takes beyond them is refused, not rounded.
func ParseJSONNumber[T ~string | ~[]byte](s T) (coef int64, scale int, ok bool) {
	return parse(s, true)
}

// parse reads a decimal in Parse's grammar or, with jsonNumber, in ParseJSONNumber's. It reads
// s once, left to right, holding zeros back until a non-zero digit shows they are
// significant, so that trailing zeros never overflow the coefficient.
func parse[T ~string | ~[]byte](s T, jsonNumber bool) (int64, int, bool) {
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
			if !times10(&coef) {
				return false
			}
		}
		// After times10 coef is at most math.MaxInt64, so adding a digit cannot wrap.
		if !times10(&coef) || coef+d > math.MaxInt64 {
			return false
		}
		coef += d
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
				return 0, 0, false
			}
		}
		i++
	}
	intDigits := i - start
	if intDigits == 0 {
		return 0, 0, false
	}
	if jsonNumber && intDigits > 1 && s[start] == '0' {
		return 0, 0, false
	}
	// Zeros at the end of the integer part wait: a non-zero digit after the separator makes
	// addDigit append them, and otherwise they scale the amount at the end, after a JSON
	// exponent that may cancel them ("10000000000000000000e-10" is 1e9 although its digits
	// are beyond an int64).
	intZeros := pendingZeros

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
					return 0, 0, false
				}
				intZeros = 0
				scale = digitsSeen
			}
			i++
		}
		if i == fracStart {
			return 0, 0, false
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
			return 0, 0, false
		}
		if expNeg {
			exp = -exp
		}
	}
	if i != n {
		return 0, 0, false
	}
	if coef == 0 {
		return 0, 0, true
	}

	scale -= exp + intZeros
	for ; scale < 0; scale++ {
		if !times10(&coef) {
			return 0, 0, false
		}
	}
	for scale > 0 && coef%10 == 0 {
		coef /= 10
		scale--
	}
	if scale > MaxScale {
		return 0, 0, false
	}
	c := int64(coef)
	if neg {
		c = -c
	}
	return c, scale, true
}

// times10 multiplies *c by ten, or reports false when the product is beyond math.MaxInt64.
func times10(c *uint64) bool {
	hi, lo := bits.Mul64(*c, 10)
	if hi != 0 || lo > math.MaxInt64 {
		return false
	}
	*c = lo
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
