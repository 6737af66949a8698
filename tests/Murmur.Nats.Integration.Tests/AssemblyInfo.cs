// Fault tests kill and restart servers of the shared cluster: no other test may run meanwhile.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
