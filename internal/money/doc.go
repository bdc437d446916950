// Package money is the one decimal grammar of the project: how the service writes an amount in
// a string ("0,02", "50.25"), how JSON writes it as a number (0.0642918, 1e-3), and the
// canonical form both are written back in ("0.02"). The wrapper's Price and the sandbox's
// money both build on it, so the two can never disagree about what an amount is.
//
// An amount is an exact pair: an int64 coefficient and a scale, the number of digits after
// the decimal point, amount = coef × 10^−scale. Nothing passes through a binary float, and
// nothing allocates.
//
// It imports only the standard library, so that sharing it carries no package of one lane
// (wrapper, sandbox) into the other.
package money
