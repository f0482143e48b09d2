package console

// Phrases of finance's pages.
var (
	englishFinance = map[string]string{}
	swahiliFinance = map[string]string{}
)
