// Package report tells what one-time passwords cost and how many of them are entered, over a
// period: per day, country or channel (or a pair of them) and in total, with the groups of
// numbers whose codes are sent but never entered, the first sign of SMS pumping.
//
// Build walks the service's list of sessions page by page and aggregates as it reads, so its
// memory grows with the number of rows of the report, never with the number of sessions:
//
//	rep, err := report.Build(ctx, client, report.Request{
//		From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
//		To:   time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
//		By:   []report.Dimension{report.Day, report.Country},
//	})
//	if err != nil {
//		return err // an *IncompleteError says how far it got
//	}
//	err = rep.WriteTable(os.Stdout) // or WriteCSV, WriteJSON, WriteHTML
//
// Money is summed exactly, per currency, with wrapper.Price: the service writes prices as
// "0,02", and no sum ever passes through a binary float. Ratios (conversion) are floats.
package report
