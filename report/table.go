package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteTable writes the report for people: a title line, the rows in aligned columns with
// the total last, and the suspects. To fit a terminal it shows the spend without its split
// into session and message fees, which the other forms have.
func (rep *Report) WriteTable(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\n\n", rep.title())
	cols := brief(rep.columns())
	rows := make([][]string, 0, len(rep.Rows)+1)
	if len(rep.By) > 0 {
		for i := range rep.Rows {
			rows = append(rows, cells(cols, len(rep.By), &rep.Rows[i], false, true))
		}
	}
	total := Row{Stats: rep.Total}
	rows = append(rows, cells(cols, len(rep.By), &total, true, true))
	header := make([]string, len(cols))
	right := make([]bool, len(cols))
	for i, c := range cols {
		header[i], right[i] = c.title, c.numeric
	}
	writeAligned(bw, header, right, rows)

	fmt.Fprintf(bw, "\n%s\n", rep.suspectsTitle())
	if len(rep.Suspects) > 0 {
		scols := rep.suspectColumns()
		header, right = header[:0], right[:0]
		for _, c := range scols {
			header, right = append(header, c.title), append(right, c.numeric)
		}
		rows = rows[:0]
		for i := range rep.Suspects {
			rows = append(rows, suspectCells(scols, &rep.Suspects[i]))
		}
		writeAligned(bw, header, right, rows)
	}
	if rep.UntrackedPrefixSessions > 0 {
		fmt.Fprintf(bw, "(%d sessions were to more groups of numbers than the report follows)\n", rep.UntrackedPrefixSessions)
	}
	return bw.Flush()
}

// title is the report's first line: "Sessions 2026-11-01 to 2026-11-30 by day, country".
func (rep *Report) title() string {
	by := "in total"
	if len(rep.By) > 0 {
		parts := make([]string, len(rep.By))
		for i, d := range rep.By {
			parts[i] = string(d)
		}
		by = "by " + strings.Join(parts, ", ")
	}
	return fmt.Sprintf("One-time passwords %s to %s, %s: %d %s", rep.From.Format(time.DateOnly), rep.To.Format(time.DateOnly),
		by, rep.Total.Sessions, plural(rep.Total.Sessions, "session"))
}

func (rep *Report) suspectsTitle() string {
	rule := fmt.Sprintf("at least %d sessions and less than %s verified", rep.SuspectRule.MinSessions, percent(rep.SuspectRule.Rate))
	if len(rep.Suspects) == 0 {
		return "No suspects (" + rule + ")."
	}
	return fmt.Sprintf("Suspects (%s): %d", rule, len(rep.Suspects))
}

// writeAligned writes header and rows in columns two spaces apart, numbers right-aligned.
// Widths count runes, so "…" in a cell does not break the alignment.
func writeAligned(w io.Writer, header []string, right []bool, rows [][]string) {
	width := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i > 0 {
				b.WriteString("  ")
			}
			if right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
}

// suspectColumn is a column of the suspects' table.
type suspectColumn struct {
	title   string
	numeric bool
	text    func(s *Suspect) string
}

func (rep *Report) suspectColumns() []suspectColumn {
	num := func(title string, f func(s *Suspect) int) suspectColumn {
		return suspectColumn{title, true, func(s *Suspect) string { return fmt.Sprint(f(s)) }}
	}
	cols := []suspectColumn{
		{"KIND", false, func(s *Suspect) string { return string(s.Kind) }},
		{"COUNTRY", false, func(s *Suspect) string { return s.Country }},
		{"NUMBERS", false, func(s *Suspect) string { return s.Numbers() }},
		num("SESSIONS", func(s *Suspect) int { return s.Sessions }),
		num("VERIFIED", func(s *Suspect) int { return s.Verified }),
		{"CONV ALL", true, func(s *Suspect) string { return percent(s.Conversion()) }},
		num("MESSAGES", func(s *Suspect) int { return s.Messages }),
	}
	for _, cur := range rep.Total.Spend.Currencies() {
		title := "SPEND " + cur
		if cur == "" {
			title = "SPEND unknown"
		}
		cols = append(cols, suspectColumn{title, true, func(s *Suspect) string { return s.Spend.In(cur).String() }})
	}
	return cols
}

func suspectCells(cols []suspectColumn, s *Suspect) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.text(s)
	}
	return out
}

// Numbers names the suspect's numbers: "380501234xxxx" for a prefix, "all" for a country.
func (s Suspect) Numbers() string {
	if s.Kind == SuspectPrefix {
		return s.Prefix + "xxxx"
	}
	return "all"
}
