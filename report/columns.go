package report

import (
	"strconv"
	"strings"
	"time"
)

// column is one column of the table, CSV and HTML forms, with its text in both styles: for
// people (table, HTML) and for spreadsheets (CSV: plain numbers, a decimal point, seconds).
type column struct {
	title   string // table and HTML header
	name    string // CSV header
	numeric bool   // right-aligned
	detail  bool   // left out of the table, which has to fit a terminal
	human   func(r *Row) string
	plain   func(r *Row) string
}

// columns are the report's columns: its dimensions, then the counts, the ratios, the times
// and the spend in each currency the period has.
func (rep *Report) columns() []column {
	var cols []column
	for _, d := range rep.By {
		cols = append(cols, keyColumn(d))
	}
	count := func(title, name string, f func(r *Row) int) column {
		text := func(r *Row) string { return strconv.Itoa(f(r)) }
		return column{title: title, name: name, numeric: true, human: text, plain: text}
	}
	cols = append(cols,
		count("SESSIONS", "sessions", func(r *Row) int { return r.Sessions }),
		count("VERIFIED", "verified", func(r *Row) int { return r.Statuses.Verified }),
		count("PENDING", "pending", func(r *Row) int { return r.Statuses.Pending }),
		count("EXPIRED", "expired", func(r *Row) int { return r.Statuses.Expired }),
		count("FAILED", "failed", func(r *Row) int { return r.Statuses.Failed }),
		count("CANCELED", "canceled", func(r *Row) int { return r.Statuses.Canceled }),
	)
	if rep.Total.Statuses.Other > 0 {
		cols = append(cols, count("OTHER", "other", func(r *Row) int { return r.Statuses.Other }))
	}
	cols = append(cols,
		ratioColumn("CONV", "conversion", Stats.Conversion),
		ratioColumn("CONV ALL", "conversion_all", Stats.ConversionAll),
		count("MESSAGES", "messages", func(r *Row) int { return r.Messages }),
		durationColumn("VERIFY P50", "verify_p50_seconds", func(d Durations) time.Duration { return d.P50 }),
		durationColumn("VERIFY P90", "verify_p90_seconds", func(d Durations) time.Duration { return d.P90 }),
	)
	for _, cur := range rep.Total.Spend.Currencies() {
		cols = append(cols,
			moneyColumn("SESSION FEES", "session_spend", cur, true, func(r *Row) Money { return r.SessionSpend }),
			moneyColumn("MESSAGE FEES", "message_spend", cur, true, func(r *Row) Money { return r.MessageSpend }),
			moneyColumn("SPEND", "spend", cur, false, func(r *Row) Money { return r.Spend }),
		)
	}
	return cols
}

// brief leaves out the detail columns.
func brief(cols []column) []column {
	out := make([]column, 0, len(cols))
	for _, c := range cols {
		if !c.detail {
			out = append(out, c)
		}
	}
	return out
}

// totalLabel stands in the first key column of the total row.
const totalLabel = "TOTAL"

func keyColumn(d Dimension) column {
	var text func(r *Row) string
	switch d {
	case Day:
		text = func(r *Row) string {
			if r.Day.IsZero() {
				return ""
			}
			return r.Day.Format(time.DateOnly)
		}
	case Country:
		text = func(r *Row) string { return r.Country }
	default:
		text = func(r *Row) string { return string(r.Channel) }
	}
	return column{title: strings.ToUpper(string(d)), name: string(d), human: text, plain: text}
}

func ratioColumn(title, name string, f func(Stats) (float64, bool)) column {
	return column{title: title, name: name, numeric: true,
		human: func(r *Row) string {
			v, ok := f(r.Stats)
			if !ok {
				return "-"
			}
			return percent(v)
		},
		plain: func(r *Row) string {
			v, ok := f(r.Stats)
			if !ok {
				return ""
			}
			return strconv.FormatFloat(v, 'f', 4, 64)
		},
	}
}

// percent writes a share as "42.9%".
func percent(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" }

func durationColumn(title, name string, f func(Durations) time.Duration) column {
	return column{title: title, name: name, numeric: true,
		human: func(r *Row) string {
			if r.VerifyTime.Count == 0 {
				return "-"
			}
			return f(r.VerifyTime).String()
		},
		plain: func(r *Row) string {
			if r.VerifyTime.Count == 0 {
				return ""
			}
			return strconv.FormatInt(int64(f(r.VerifyTime)/time.Second), 10)
		},
	}
}

// moneyColumn is one currency's amount of a row: "SPEND USD" and spend_usd. The amount is
// exact, with a decimal point.
func moneyColumn(title, name, currency string, detail bool, f func(r *Row) Money) column {
	suffix := currency
	if suffix == "" {
		suffix = "unknown"
	}
	text := func(r *Row) string { return f(r).In(currency).String() }
	return column{title: title + " " + suffix, name: name + "_" + strings.ToLower(suffix), numeric: true, detail: detail, human: text, plain: text}
}

// cells writes a row in one style; the total row (total true) is labelled in its first
// key column.
func cells(cols []column, nKeys int, r *Row, total, human bool) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		switch {
		case total && i < nKeys:
			if i == 0 {
				out[i] = totalLabel
			}
		case human:
			out[i] = c.human(r)
		default:
			out[i] = c.plain(r)
		}
	}
	return out
}
