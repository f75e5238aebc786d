int f5986;
