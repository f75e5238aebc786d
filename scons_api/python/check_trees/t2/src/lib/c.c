int cfun(){return 0;}
