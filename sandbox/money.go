package sandbox

import (
	"errors"
	"strings"

	"github.com/go-bsg/bsg2fa/internal/money"
)

// Money is kept as an integer number of 1e-7 units: the documentation page shows prices with
// 7 decimal places (0.0642918), so every documented amount is exact and nothing goes through
// a binary float.
const (
	moneyDecimals = 7
	moneyScale    = 10_000_000 // 10^moneyDecimals
)

// maxMoney bounds an amount below 100 000 000 000 (10^18 units), so that a balance minus many
// prices stays far from the int64 limit.
const maxMoney = 1_000_000_000_000_000_000

var errMoney = errors.New("not a decimal amount with at most 7 decimal places")

// parseMoney reads an amount in the service's decimal grammar ("12", "0.02", "0,02"; see
// internal/money), with the sandbox's limits on top: no sign, at most 7 decimal places, below
// 100 000 000 000. Spaces around it are ignored, as for the other options.
func parseMoney(s string) (int64, error) {
	s = strings.TrimSpace(s)
	coef, scale, ok := money.Parse(s)
	if !ok || strings.HasPrefix(s, "-") || scale > moneyDecimals {
		return 0, errMoney
	}
	m := int64(1)
	for range moneyDecimals - scale {
		m *= 10
	}
	if coef >= maxMoney/m {
		return 0, errMoney
	}
	return coef * m, nil
}

// ValidAmount reports whether amount is money the sandbox takes: what WithBalance, WithPrice
// and WithMessagePrice accept. They ignore anything else silently, as options cannot fail, so
// a caller that would rather refuse a bad amount asks here first.
func ValidAmount(amount string) bool {
	_, err := parseMoney(amount)
	return err == nil
}

// formatMoney writes an amount with the given decimal separator and no trailing zeros:
// formatMoney(200000, ',') is "0,02", formatMoney(0, ',') is "0".
func formatMoney(v int64, sep byte) string {
	return string(money.Append(nil, v, moneyDecimals, sep))
}
