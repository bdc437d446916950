package report

import (
	"encoding/csv"
	"io"
)

// WriteCSV writes the rows for spreadsheets: one header line of snake_case names, then one
// line per row, as RFC 4180 says (CRLF line ends, quotes where needed). Amounts are exact with
// a decimal point, ratios have four decimals, times are whole seconds, and a value that does
// not exist (the conversion of a row where nothing finished) is empty. There is no total line:
// a spreadsheet sums the rows, and a pivot table would count a total twice.
func (rep *Report) WriteCSV(w io.Writer) error {
	cols := rep.columns()
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	rows := rep.Rows
	if len(rep.By) == 0 {
		rows = []Row{{Stats: rep.Total}}
	}
	for i := range rows {
		if err := cw.Write(cells(cols, len(rep.By), &rows[i], false, false)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
