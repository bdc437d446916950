package sandbox

import (
	"slices"
	"strings"
)

// callingCodes maps international calling codes to ISO 3166-1 alpha-2 countries. Where a code
// is shared (1 for the US and Canada, 7 for Russia and Kazakhstan) the larger country is named.
var callingCodes = map[string]string{
	"1": "US", "7": "RU", "20": "EG", "27": "ZA", "30": "GR", "31": "NL", "32": "BE", "33": "FR",
	"34": "ES", "36": "HU", "39": "IT", "40": "RO", "41": "CH", "43": "AT", "44": "GB", "45": "DK",
	"46": "SE", "47": "NO", "48": "PL", "49": "DE", "51": "PE", "52": "MX", "54": "AR", "55": "BR",
	"56": "CL", "57": "CO", "60": "MY", "61": "AU", "62": "ID", "63": "PH", "64": "NZ", "65": "SG",
	"66": "TH", "81": "JP", "82": "KR", "84": "VN", "86": "CN", "90": "TR", "91": "IN", "92": "PK",
	"234": "NG", "254": "KE", "351": "PT", "352": "LU", "353": "IE", "354": "IS", "356": "MT",
	"357": "CY", "358": "FI", "359": "BG", "370": "LT", "371": "LV", "372": "EE", "373": "MD",
	"374": "AM", "375": "BY", "376": "AD", "380": "UA", "381": "RS", "385": "HR", "386": "SI",
	"387": "BA", "420": "CZ", "421": "SK", "971": "AE", "972": "IL", "995": "GE", "998": "UZ",
}

// unknownCountry is the user-assigned ISO code written when no calling code matches.
const unknownCountry = "XX"

// countryOf finds the recipient's country by the longest calling code that prefixes the number.
func countryOf(number string) string {
	for n := min(3, len(number)); n > 0; n-- {
		if c, ok := callingCodes[number[:n]]; ok {
			return c
		}
	}
	return unknownCountry
}

// normCountries upper-cases, sorts and de-duplicates country codes, as the service echoes them.
func normCountries(in []string) []string {
	out := make([]string, 0, len(in))
	for _, c := range in {
		out = append(out, strings.ToUpper(strings.TrimSpace(c)))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
