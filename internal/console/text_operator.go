package console

// Phrases of the operator's set-up pages.
var (
	englishOperator = map[string]string{}
	swahiliOperator = map[string]string{}
)
