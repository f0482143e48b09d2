package hub

// Percentile is percentile, for the tests.
var Percentile = percentile
