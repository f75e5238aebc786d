int u(){return 1;}
