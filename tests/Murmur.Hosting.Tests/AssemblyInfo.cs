// The tests observe the process-wide "Murmur" ActivitySource and Meter; running them one at a time keeps
// each test's measurements its own (spans are also filtered by trace id, measurements by topic).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
