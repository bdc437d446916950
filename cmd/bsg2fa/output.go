package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// writeJSON writes v indented, for scripts. The wrapper's result types encode in the
// service's own field names and units (see wrapper/json.go): snake_case keys, code_lifetime
// in seconds, prices as exact decimal strings, RFC 3339 UTC times and null for absent ones.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "{code}" and "<" stay readable; nothing here is HTML
	return enc.Encode(v)
}

// field is one "key: value" line; empty values are left out.
type field struct{ key, value string }

// writeFields writes aligned "key: value" lines, with indent before each.
func writeFields(w io.Writer, indent string, fields []field) {
	width := 0
	for _, f := range fields {
		if f.value != "" {
			width = max(width, len(f.key))
		}
	}
	for _, f := range fields {
		if f.value != "" {
			fmt.Fprintf(w, "%s%-*s %s\n", indent, width+1, f.key+":", f.value)
		}
	}
}

// writeTable writes rows under a header, in aligned columns.
func writeTable(w io.Writer, indent string, header []string, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, indent+strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, indent+strings.Join(r, "\t"))
	}
	_ = tw.Flush() // the writer's own errors surface on the next write to it, if ever
}

// when formats a time in UTC, as the service keeps them; the zero time is empty.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateTime) + " UTC"
}

// price writes a price with its currency: "0.02 USD".
func price(p wrapper.Price, currency string) string {
	if currency == "" {
		return p.String()
	}
	return p.String() + " " + currency
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func duration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func authenticationFields(a *wrapper.Authentication) []field {
	return []field{
		{"id", a.ID},
		{"status", string(a.Status)},
		{"channel", string(a.Channel)},
		{"recipient", a.Recipient},
		{"country", a.CountryCode},
		{"sender", a.Sender},
		{"sender alt", a.SenderAlt},
		{"message", a.MessageText},
		{"code digits", itoa(a.CodeDigits)},
		{"code lifetime", duration(a.CodeLifetime)},
		{"code max tries", itoa(a.CodeMaxTries)},
		{"price", price(a.Price, a.Currency)},
		{"created at", when(a.CreatedAt)},
		{"updated at", when(a.UpdatedAt)},
		{"expires at", when(a.ExpiredAt)},
		{"finished at", when(a.FinishedAt)},
	}
}

// writeAuthentication writes one session as aligned fields, then its messages as a table.
func writeAuthentication(w io.Writer, indent string, a *wrapper.Authentication) {
	writeSession(w, indent, a, authenticationFields(a))
}

// writeSession writes fields of a session, then its messages as a table.
func writeSession(w io.Writer, indent string, a *wrapper.Authentication, fields []field) {
	writeFields(w, indent, fields)
	if len(a.Messages) == 0 {
		return
	}
	fmt.Fprintf(w, "%smessages:\n", indent)
	rows := make([][]string, 0, len(a.Messages))
	for _, m := range a.Messages {
		rows = append(rows, []string{m.ID, string(m.Status), string(m.Channel), m.Sender,
			price(m.Price, m.Currency), orDash(when(m.CreatedAt)), orDash(when(m.SentAt))})
	}
	writeTable(w, indent+"  ", []string{"ID", "STATUS", "CHANNEL", "SENDER", "PRICE", "CREATED", "SENT"}, rows)
}

// statusFields are the fields of a session and how far a session has come and what can be done with it next. The
// service reports the attempts allowed, not the attempts used: only a failed session says how
// many were used (all of them).
func statusFields(a *wrapper.Authentication, now time.Time) []field {
	used := fmt.Sprintf("not reported by the service (%d allowed)", a.CodeMaxTries)
	switch a.Status {
	case wrapper.StatusFailed:
		used = fmt.Sprintf("%d of %d", a.CodeMaxTries, a.CodeMaxTries)
	case wrapper.StatusVerified:
		used = fmt.Sprintf("at most %d of %d, the last one right", a.CodeMaxTries, a.CodeMaxTries)
	}
	var next string
	switch {
	case a.Status == wrapper.StatusPending && now.Before(a.ExpiredAt):
		next = "verify the code, or resend a new one until " + when(a.ExpiredAt) + "; or cancel"
	case a.Status == wrapper.StatusPending:
		next = "the code expired at " + when(a.ExpiredAt) + "; send a new one with 'bsg2fa send'"
	case a.Status == wrapper.StatusVerified:
		next = "finished (verified): nothing left to do"
	case a.Status.Final():
		next = "finished (" + string(a.Status) + "): send a new code with 'bsg2fa send'"
	}
	return append(authenticationFields(a),
		field{"codes sent", strconv.Itoa(len(a.Messages))},
		field{"attempts used", used},
		field{"next", next},
	)
}

// writeAuthentications writes sessions as a table.
func writeAuthentications(w io.Writer, indent string, list []wrapper.Authentication) {
	rows := make([][]string, 0, len(list))
	for _, a := range list {
		rows = append(rows, []string{a.ID, string(a.Status), string(a.Channel), a.Recipient,
			orDash(a.CountryCode), price(a.Price, a.Currency), orDash(when(a.CreatedAt))})
	}
	writeTable(w, indent, []string{"ID", "STATUS", "CHANNEL", "RECIPIENT", "COUNTRY", "PRICE", "CREATED"}, rows)
}

func templateFields(t *wrapper.Template) []field {
	return []field{
		{"id", strconv.Itoa(t.ID)},
		{"name", t.Name},
		{"status", string(t.Status)},
		{"text", t.Text},
		{"countries", countries(t.Countries)},
		{"updated at", when(t.UpdatedAt)},
	}
}

// writeTemplates writes templates as a table.
func writeTemplates(w io.Writer, indent string, list []wrapper.Template) {
	rows := make([][]string, 0, len(list))
	for _, t := range list {
		rows = append(rows, []string{strconv.Itoa(t.ID), string(t.Status), t.Name, countries(t.Countries), t.Text})
	}
	writeTable(w, indent, []string{"ID", "STATUS", "NAME", "COUNTRIES", "TEXT"}, rows)
}

// countries lists country codes; a template without any sends to every country.
func countries(list []string) string {
	if len(list) == 0 {
		return "all"
	}
	return strings.Join(list, ",")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
