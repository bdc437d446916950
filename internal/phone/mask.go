package phone

import "strings"

// Mask keeps the first three and the last three digits of a number and puts '*' for each
// digit between ("380979965073" is "380******073"): the country code and a few final digits
// tell numbers apart, the rest stays private. A number of six digits or fewer would show
// whole, so it is all '*'. Mask counts bytes: it is meant for digits, and for anything else it
// still returns a string of the same length without failing.
func Mask(digits string) string {
	const kept = 3
	if len(digits) <= 2*kept {
		return strings.Repeat("*", len(digits))
	}
	return digits[:kept] + strings.Repeat("*", len(digits)-2*kept) + digits[len(digits)-kept:]
}
