// The fault tests run mock clusters of their own and the CLI tests start processes: on a two-core machine, one test
// class at a time keeps their timing honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
