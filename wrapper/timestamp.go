package wrapper

import (
	"errors"
	"fmt"
	"time"
)

// errInvalidTimestamp is wrapped by every error parseTimestamp returns.
var errInvalidTimestamp = errors.New("bsg2fa: invalid timestamp")

// parseTimestamp reads a timestamp as the service writes it, "2023-01-04 17:37:06" in UTC,
// and the RFC 3339 forms its OpenAPI file promises: 'T' (or 't') between date and time,
// fractional seconds after '.' (or ','), and a "Z", "+00:00", "+0000" or "+00" offset. Any
// offset is applied and the result is always in UTC. The empty string is the zero time (the
// service leaves finished_at empty or null while a session runs).
//
// It is written by hand rather than with time.Parse because it runs for every timestamp of
// every decoded session and the layouts vary; it does not allocate unless it fails.
func parseTimestamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, ok := parseTimestampUTC(s)
	if !ok {
		const maxShown = 40
		if len(s) > maxShown {
			return time.Time{}, fmt.Errorf("%w: %q…", errInvalidTimestamp, s[:maxShown])
		}
		return time.Time{}, fmt.Errorf("%w: %q", errInvalidTimestamp, s)
	}
	return t, nil
}

// parseTimestampUTC is parseTimestamp's grammar; ok is false for anything it does not accept.
func parseTimestampUTC(s string) (time.Time, bool) {
	const base = len("2006-01-02 15:04:05")
	if len(s) < base ||
		s[4] != '-' || s[7] != '-' ||
		(s[10] != ' ' && s[10] != 'T' && s[10] != 't') ||
		s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digitsAt(s, 0, 4)
	month, ok2 := digitsAt(s, 5, 2)
	day, ok3 := digitsAt(s, 8, 2)
	hour, ok4 := digitsAt(s, 11, 2)
	minute, ok5 := digitsAt(s, 14, 2)
	sec, ok6 := digitsAt(s, 17, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 ||
		month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}

	i := base
	nsec := 0
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		start := i
		for i < len(s) && isDigit(s[i]) {
			// Digits past nanoseconds are dropped, as time.Parse does.
			if i-start < 9 {
				nsec = nsec*10 + int(s[i]-'0')
			}
			i++
		}
		n := i - start
		if n == 0 {
			return time.Time{}, false
		}
		for ; n < 9; n++ {
			nsec *= 10
		}
	}

	offset := 0 // seconds east of UTC
	if i < len(s) {
		switch c := s[i]; c {
		case 'Z', 'z':
			i++
		case '+', '-':
			i++
			oh, ok := digitsAt(s, i, 2)
			if !ok || oh > 23 {
				return time.Time{}, false
			}
			i += 2
			om := 0
			if i < len(s) {
				if s[i] == ':' {
					i++
				}
				var ok bool
				om, ok = digitsAt(s, i, 2)
				if !ok || om > 59 {
					return time.Time{}, false
				}
				i += 2
			}
			offset = oh*3600 + om*60
			if c == '-' {
				offset = -offset
			}
		default:
			return time.Time{}, false
		}
	}
	if i != len(s) {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if offset != 0 {
		t = t.Add(-time.Duration(offset) * time.Second)
	}
	return t, true
}

// digitsAt reads n ASCII digits of s starting at i.
func digitsAt(s string, i, n int) (int, bool) {
	if i < 0 || i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// daysIn is the number of days in month m of year y (proleptic Gregorian).
func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
