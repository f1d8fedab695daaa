"""Analysis: prompt, insight parsing, providers, the failover chain, usage and cost. No Qt."""
