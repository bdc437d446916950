package testkit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNotSnakeCase(t *testing.T) {
	bad, err := NotSnakeCase([]byte(`{"ok_key":1,"rows":[{"day":null,"Sessions":2,"p50_seconds":3}],"USD":{"amount_2":"1","camelCase":0},"_x":1,"a__b":1}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"USD", "USD.camelCase", "_x", "a__b", "rows[0].Sessions"}, bad)
	_, err = NotSnakeCase([]byte(`{`))
	assert.Error(t, err)
}
