"""profile: the one archive per customer (客户档案), its matching keys and its timeline."""
