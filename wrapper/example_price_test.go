package wrapper_test

import (
	"errors"
	"fmt"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// Prices add, subtract and compare exactly, whichever decimal separator the service used.
func ExamplePrice() {
	session, _ := wrapper.ParsePrice("0,02")
	message, _ := wrapper.ParsePrice("0.0642918")
	budget, _ := wrapper.ParsePrice("0.05")

	total := session.Add(message)
	fmt.Println("total:", total)
	fmt.Println("over budget by:", total.Sub(budget))
	fmt.Println("over budget:", total.Cmp(budget) > 0)
	// Output:
	// total: 0.0842918
	// over budget by: 0.0342918
	// over budget: true
}

// Coef gives the integer coefficient and scale that decimal packages are built from, e.g.
// decimal.New(coef, -int32(scale)) in github.com/shopspring/decimal and
// decimal.New(coef, scale) in github.com/govalues/decimal.
func ExamplePrice_Coef() {
	p, _ := wrapper.ParsePrice("1,50")
	coef, scale := p.Coef()
	fmt.Println(coef, scale)
	// Output: 15 1
}

// AddExact reports a sum that a Price cannot hold instead of rounding it.
func ExamplePrice_AddExact() {
	big, _ := wrapper.ParsePrice("9223372036854775807")
	one, _ := wrapper.ParsePrice("1")
	_, err := big.AddExact(one)
	fmt.Println(errors.Is(err, wrapper.ErrPriceOverflow))
	// Output: true
}
