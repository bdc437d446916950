package money

import "strconv"

// Append appends the amount coef × 10^−scale to dst in canonical form and returns the
// extended slice: sep as the decimal separator ('.' for the wrapper and JSON, ',' where the
// service writes a comma), no trailing zeros after it, no separator for a whole amount, a
// '0' before it for an amount below one, and no exponent ("0.02", "0.0642918", "-3", "0").
// The coefficient need not be canonical: Append(nil, 200000, 7, ',') is "0,02". Every
// int64 is written exactly, math.MinInt64 included, and scale is a byte so that no input makes
// it write more than a few hundred bytes. It does not allocate when dst has room.
func Append(dst []byte, coef int64, scale uint8, sep byte) []byte {
	u := uint64(coef)
	if coef < 0 {
		dst = append(dst, '-')
		u = -u // in uint64, so that math.MinInt64 does not stay negative
	}
	for scale > 0 && u%10 == 0 {
		u /= 10
		scale--
	}
	var d [20]byte
	digits := strconv.AppendUint(d[:0], u, 10)
	n := int(scale)
	switch {
	case n == 0:
		return append(dst, digits...)
	case len(digits) <= n:
		dst = append(dst, '0', sep)
		for range n - len(digits) {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	default:
		dst = append(dst, digits[:len(digits)-n]...)
		dst = append(dst, sep)
		return append(dst, digits[len(digits)-n:]...)
	}
}
