// Key files are protected by Unix permissions (the tests check them); the suite runs on Linux.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
