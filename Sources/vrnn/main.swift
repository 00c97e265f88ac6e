print("vrnn")
