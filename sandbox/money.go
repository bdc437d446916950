package sandbox

import (
	"errors"
	"strconv"
	"strings"
)

// Money is kept as an integer number of 1e-7 units: the documentation page shows prices with
// 7 decimal places (0.0642918), so every documented amount is exact and nothing goes through
// a binary float.
const moneyScale = 10_000_000

var errMoney = errors.New("not a decimal amount with at most 7 decimal places")

// parseMoney reads "12", "0.02" or "0,02" (no sign, at most 7 decimal places).
func parseMoney(s string) (int64, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || len(frac) > 7 || len(whole) > 11 || !isDigits(whole) || (frac != "" && !isDigits(frac)) {
		return 0, errMoney
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, errMoney
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 7-len(frac)), 10, 64)
	}
	return w*moneyScale + f, nil
}

// formatMoney writes an amount with the given decimal separator and no trailing zeros:
// formatMoney(200000, ',') is "0,02", formatMoney(0, ',') is "0".
func formatMoney(v int64, sep byte) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u // in uint64, so that math.MinInt64 does not stay negative
	}
	b := strconv.AppendUint(nil, u/moneyScale, 10)
	if f := u % moneyScale; f != 0 {
		frac := strconv.FormatUint(f+moneyScale, 10)[1:]
		b = append(b, sep)
		b = append(b, strings.TrimRight(frac, "0")...)
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
