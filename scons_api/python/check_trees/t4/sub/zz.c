int z(){return 0;}
